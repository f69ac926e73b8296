#define CAF_SUITE policy
#include "protocol/policy.hpp"
#include "protocol/shell_rules.hpp"
#include "protocol/tools.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

using namespace parley;

namespace {

tenant_config tenant(const std::string& policy) {
  tenant_config t;
  t.id = "ops";
  t.owner = "316";
  t.approvers = {"317"};
  t.policy = policy;
  t.shell.enabled = true;
  t.shell.workdir = "/srv";
  t.shell.allow = default_shell_allowlist();
  return t;
}

action_request asks(const std::string& who, const std::string& line) {
  action_request r;
  r.tenant = "ops";
  r.requested_by = who;
  r.line = line;
  return r;
}

action_verdict_kind judge(const std::string& policy, const std::string& who,
                          const std::string& line) {
  return judge_action(tenant(policy), asks(who, line)).kind;
}

constexpr auto run = action_verdict_kind::run;
constexpr auto ask = action_verdict_kind::ask;
constexpr auto deny = action_verdict_kind::deny;

} // namespace

CAF_TEST(each mode runs reads and decides writes its own way) {
  for (auto policy : {"observe", "draft", "act_with_approval", "trusted_auto"})
    CAF_CHECK(judge(policy, "316", "git status") == run);
  CAF_CHECK(judge("observe", "316", "touch x") == deny);
  CAF_CHECK(judge("draft", "316", "touch x") == deny);
  CAF_CHECK(judge("act_with_approval", "316", "touch x") == ask);
  // trusted_auto approves replies to the owner, never commands
  CAF_CHECK(judge("trusted_auto", "316", "touch x") == ask);
}

CAF_TEST(a refusal in observe mode names the mode) {
  auto v = judge_action(tenant("observe"), asks("316", "touch x"));
  CAF_CHECK_EQUAL(v.reason, "the policy of this tenant is observe, so nothing with side effects runs");
  CAF_CHECK(v.argv.empty());
}

CAF_TEST(only the owner and approvers may ask and the admin api may not) {
  CAF_CHECK(judge("act_with_approval", "317", "touch x") == ask);
  CAF_CHECK(judge("act_with_approval", "999", "uptime") == deny);
  CAF_CHECK(judge("act_with_approval", "admin", "uptime") == deny);
  CAF_CHECK(judge("act_with_approval", "", "uptime") == deny);
  auto v = judge_action(tenant("act_with_approval"), asks("999", "uptime"));
  CAF_CHECK_EQUAL(v.reason, "only the owner may run commands");
}

CAF_TEST(the blocklist wins over every mode and every requester) {
  for (auto policy : {"observe", "draft", "act_with_approval", "trusted_auto"})
    for (auto line : {"rm -rf /", "sudo ls", "git status; reboot", "$(reboot)"})
      CAF_CHECK(judge(policy, "316", line) == deny);
}

CAF_TEST(an approval request carries the exact words to run) {
  auto v = judge_action(tenant("act_with_approval"), asks("316", "git  commit -m 'fix it'"));
  CAF_REQUIRE(v.kind == ask);
  auto expected = std::vector<std::string>{"git", "commit", "-m", "fix it"};
  CAF_CHECK_EQUAL(v.argv, expected);
  CAF_CHECK_EQUAL(v.summary, "git commit -m \"fix it\"");
}

CAF_TEST(a tenant without a shell and unknown action kinds are refused) {
  auto t = tenant("act_with_approval");
  t.shell.enabled = false;
  CAF_CHECK(judge_action(t, asks("316", "uptime")).kind == deny);
  auto req = asks("316", "uptime");
  req.kind = "email";
  CAF_CHECK(judge_action(tenant("act_with_approval"), req).kind == deny);
}

CAF_TEST(observe records replies and draft keeps them while the console always answers) {
  CAF_CHECK_EQUAL(reply_hold(tenant("observe"), "meta"), "recorded");
  CAF_CHECK_EQUAL(reply_hold(tenant("draft"), "meta"), "draft");
  CAF_CHECK_EQUAL(reply_hold(tenant("act_with_approval"), "meta"), "");
  CAF_CHECK_EQUAL(reply_hold(tenant("trusted_auto"), "meta"), "");
  CAF_CHECK_EQUAL(reply_hold(tenant("observe"), "console"), "");
  CAF_CHECK_EQUAL(reply_hold(tenant("draft"), "console"), "");
}

CAF_TEST(only people who may decide are offered tools and only those the tenant has) {
  auto t = tenant("act_with_approval");
  using list = std::vector<std::string>;
  CAF_CHECK_EQUAL(tools::offered(t, "316"), (list{"tasks", "run_shell"}));
  CAF_CHECK_EQUAL(tools::offered(t, "317"), (list{"tasks", "run_shell"}));
  CAF_CHECK(tools::offered(t, "999").empty());
  CAF_CHECK(tools::offered(t, "admin").empty());
  t.shell.enabled = false;
  CAF_CHECK_EQUAL(tools::offered(t, "316"), list{"tasks"});
  t.connectors.calendar.provider = "ics";  // read-only: no create_event
  t.connectors.mail.provider = "imap";
  t.connectors.weather.enabled = true;
  CAF_CHECK_EQUAL(tools::offered(t, "316"),
                  (list{"calendar_events", "unread_mail", "followups", "weather", "tasks",
                        "send_mail_reply"}));
  t.connectors.calendar.provider = "caldav";
  t.kind = "business";  // a business has no owner's tasks
  CAF_CHECK_EQUAL(tools::offered(t, "316"),
                  (list{"calendar_events", "unread_mail", "followups", "weather", "create_event",
                        "send_mail_reply"}));
}

CAF_TEST(a calendar event always waits for approval and only with a writable calendar) {
  auto t = tenant("trusted_auto");
  action_request req;
  req.tenant = "ops";
  req.requested_by = "316";
  req.kind = "calendar_event";
  req.line = "2026-12-04 14:00 60 Overleg met Sara";
  CAF_CHECK(judge_action(t, req).kind == action_verdict_kind::deny);  // no calendar
  t.connectors.calendar.provider = "caldav";
  auto v = judge_action(t, req);
  CAF_CHECK(v.kind == action_verdict_kind::ask);
  CAF_CHECK_EQUAL(v.argv, (std::vector<std::string>{"2026-12-04", "14:00", "60", "Overleg met Sara"}));
  CAF_CHECK_EQUAL(v.summary, "create event: Overleg met Sara, Fri 4 Dec 14:00–15:00");
  req.line = "2026-12-04 25:00 60 x";
  CAF_CHECK(judge_action(t, req).kind == action_verdict_kind::deny);
  req.line = "2026-12-04 14:00 60 Overleg";
  req.requested_by = "999";
  CAF_CHECK(judge_action(t, req).kind == action_verdict_kind::deny);
  t.policy = "observe";
  req.requested_by = "316";
  CAF_CHECK(judge_action(t, req).kind == action_verdict_kind::deny);
}
