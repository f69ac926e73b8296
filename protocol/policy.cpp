#include "protocol/policy.hpp"

#include "protocol/mail_reply.hpp"
#include "protocol/plan_text.hpp"

#include "protocol/shell_rules.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace parley {

bool may_decide(const tenant_config& t, const std::string& who) {
  return who == "admin" || (!t.owner.empty() && who == t.owner)
         || std::find(t.approvers.begin(), t.approvers.end(), who)
              != t.approvers.end();
}

bool is_staff(const tenant_config& t, const std::string& who) {
  return may_decide(t, who)
         || std::find(t.business.staff.begin(), t.business.staff.end(), who)
              != t.business.staff.end();
}

namespace {

/// A new calendar event always waits for the owner's approval: it is seen
/// by others. The line is "<date> <start> <minutes> <title>" (plan_line).
action_verdict judge_calendar_event(const tenant_config& t, const action_request& req) {
  action_verdict v;
  auto& provider = t.connectors.calendar.provider;
  if (provider != "caldav" && provider != "google") {
    v.reason = t.connectors.calendar.configured()
                 ? "the " + t.connectors.calendar.provider + " calendar cannot be written to"
                 : "this tenant has no calendar";
    return v;
  }
  if (t.policy == "observe" || t.policy == "draft") {
    v.reason = "the policy of this tenant is " + t.policy + ", so nothing with side effects runs";
    return v;
  }
  auto e = plan_of_line(req.line);
  if (!e.error.empty()) {
    v.reason = e.error;
    return v;
  }
  v.argv = {e.date, e.start, std::to_string(e.minutes), e.title};
  v.summary = "create event: " + plan_summary(e, t.language);
  v.reason = "a new calendar event needs the owner's approval";
  v.kind = action_verdict_kind::ask;
  return v;
}

/// A mail reply always waits for the owner's approval of every word; the
/// line is the reply as JSON (line_of).
action_verdict judge_mail_reply(const tenant_config& t, const action_request& req) {
  action_verdict v;
  auto& provider = t.connectors.mail.provider;
  if (provider != "gmail" && provider != "imap") {
    v.reason = "this tenant has no mailbox";
    return v;
  }
  std::string error;
  auto reply = reply_of_line(req.line, error);
  if (!error.empty()) {
    v.reason = error;
    return v;
  }
  v.summary = reply_summary(reply, t.language);
  if (t.policy == "observe" || t.policy == "draft") {
    v.reason = "the policy of this tenant is " + t.policy + ", so nothing with side effects runs";
    return v;
  }
  v.argv = argv_of(reply);
  v.reason = "a mail reply needs the owner's approval";
  v.kind = action_verdict_kind::ask;
  return v;
}

/// A workflow's HTTP call always waits for the owner's approval: it reaches
/// another system. The line is {"method", "url", "body", "key"} as JSON.
action_verdict judge_http_call(const tenant_config& t, const action_request& req) {
  action_verdict v;
  auto j = nlohmann::json::parse(req.line, nullptr, false);
  auto field = [&](const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                  : std::string();
  };
  auto method = field("method"), url = field("url");
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    v.reason = "the call has no http:// or https:// URL";
    return v;
  }
  v.summary = method + " " + url;
  if (t.policy == "observe" || t.policy == "draft") {
    v.reason = "the policy of this tenant is " + t.policy + ", so nothing with side effects runs";
    return v;
  }
  v.argv = {method, url, field("body"), field("key")};
  v.reason = "a call to another system needs the owner's approval";
  v.kind = action_verdict_kind::ask;
  return v;
}

} // namespace

action_verdict judge_action(const tenant_config& t, const action_request& req) {
  action_verdict v;
  if (req.requested_by == "admin" || !may_decide(t, req.requested_by)) {
    v.reason = "only the owner may run commands";
    return v;
  }
  if (req.kind == "calendar_event")
    return judge_calendar_event(t, req);
  if (req.kind == "mail_reply")
    return judge_mail_reply(t, req);
  if (req.kind == "http")
    return judge_http_call(t, req);
  if (req.kind != "shell") {
    v.reason = "parley cannot do '" + req.kind + "' actions";
    return v;
  }
  if (!t.shell.enabled) {
    v.reason = "this tenant has no shell connector";
    return v;
  }
  auto shell = judge_shell(req.line, t.shell.allow);
  v.reason = shell.reason;
  if (shell.kind == shell_verdict_kind::deny)
    return v;
  v.argv = std::move(shell.argv);
  v.summary = join_words(v.argv);
  if (shell.kind == shell_verdict_kind::allow) {
    v.kind = action_verdict_kind::run;
    return v;
  }
  if (t.policy == "observe" || t.policy == "draft") {
    v.argv.clear();
    v.reason = "the policy of this tenant is " + t.policy
               + ", so nothing with side effects runs";
    return v;
  }
  v.kind = action_verdict_kind::ask;
  return v;
}

std::string reply_hold(const tenant_config& t, const std::string& provider) {
  if (provider == "console")
    return {};
  if (t.policy == "observe")
    return "recorded";
  if (t.policy == "draft")
    return "draft";
  return {};
}

} // namespace parley
