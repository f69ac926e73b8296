#define CAF_SUITE brief
#include "actors/errors.hpp"
#include "actors/schedule/brief_composer.hpp"
#include "actors/schedule/morning_brief.hpp"
#include "actors/schedule/scheduler.hpp"
#include "protocol/time_zone.hpp"

#define FAIL CAF_FAIL
#include <caf/test/dsl.hpp>

#include <caf/typed_event_based_actor.hpp>

#include <map>

using namespace parley;

namespace {

struct recorder {
  std::map<std::string, std::string> briefs;  ///< "tenant date" -> state
  std::vector<brief_delivery> deliveries;
  std::vector<outbox_item> sent;
  std::vector<std::string> tasks{"send the invoice"};
  std::vector<llm_answer> llm_script;  ///< then errors
  std::vector<llm_request> llm_requests;
  int claims = 0;
  int claims_failing = 0;                 ///< the next claims that fail
  std::vector<std::string> triggers;      ///< "name workflow key" per schedule firing
};

/// Answers at once with `lines`, or never when `silent`.
connector_actor::behavior_type fake_connector(connector_actor::pointer self,
                                              std::vector<std::string> lines, bool silent) {
  return {
    [=](atom::summary, const std::string&, const std::string&) -> caf::result<connector_report> {
      if (silent)
        return self->make_response_promise<connector_report>();  // never delivered
      connector_report r;
      r.status = "ok";
      r.lines = lines;
      r.priorities = lines;
      return r;
    },
  };
}

/// The briefs table's rules: claimed once, queued once.
storage_actor::behavior_type fake_storage(storage_actor::pointer self,
                                          std::shared_ptr<recorder> rec) {
  return {
    [=](atom::load, const conversation_key&, int32_t) { return std::vector<memory_entry>{}; },
    [=](atom::complete, const completion&, const std::string&) { return completion_result{}; },
    [=](atom::pending, const std::vector<std::string>&) { return std::vector<int64_t>{}; },
    [=](atom::load, const std::vector<int64_t>&) { return std::vector<inbound_message>{}; },
    [=](atom::pending, const conversation_key&) { return std::vector<inbound_message>{}; },
    [=](atom::pending, atom::send, const std::vector<std::string>&) {
      return std::vector<outbox_item>{};
    },
    [=](atom::inspect, const std::string&, const std::string&, const std::string&,
        const std::string&, int32_t) { return std::string("{}"); },
    [=](atom::decisions, const std::string&, const std::string&) {
      return std::vector<decision_record>{};
    },
    [=](atom::tasks, const std::string&, const std::string&) { return rec->tasks; },
    [=](atom::claim, const std::string& tenant,
        const std::string& date) -> caf::result<bool> {
      ++rec->claims;
      if (rec->claims_failing > 0) {
        --rec->claims_failing;
        return make_error(errc::storage_unavailable, "PostgreSQL is down");
      }
      auto& state = rec->briefs[tenant + " " + date];
      if (state.empty())
        state = "composing";
      return state == "composing";
    },
    [=](atom::brief, const brief_delivery& d) {
      rec->deliveries.push_back(d);
      brief_queued q;
      auto& state = rec->briefs[d.tenant + " " + d.date];
      if (state != "composing")
        return q;
      state = "queued";
      q.applied = true;
      q.state = state;
      q.outbox.push_back(outbox_item::to(int64_t(rec->deliveries.size()), d.tenant, d.chat,
                                         d.channel, d.recipient, d.brief.text));
      return q;
    },
    [=](atom::send, outbox_item item) { return item; },
    [=](atom::brief, atom::status, const std::string& tenant, const std::string& date) {
      return brief_record{tenant, date, rec->briefs[tenant + " " + date], "", "", ""};
    },
  };
}

/// Records each schedule's firing; no schedule has fired before.
workflow_runner_actor::behavior_type fake_runner(workflow_runner_actor::pointer self,
                                                 std::shared_ptr<recorder> rec) {
  return {
    [=](atom::trigger, const std::string&, const std::string& name, const std::string& workflow,
        const std::string& key, const std::string&) -> caf::result<int64_t, bool> {
      rec->triggers.push_back(name + " " + workflow + " " + key);
      return {int64_t(rec->triggers.size()), true};
    },
    [=](atom::list, const std::string&, const std::string&, int64_t, int32_t) {
      return std::string("{}");
    },
    [=](atom::inspect, int64_t) { return std::string("{}"); },
    [=](atom::retry, int64_t) { return std::string("{}"); },
    [=](atom::status, const std::string&) { return int64_t(0); },
    [=](atom::tick) {},
  };
}

llm_actor::behavior_type fake_llm(llm_actor::pointer self, std::shared_ptr<recorder> rec) {
  return {
    [=](atom::generate, const llm_request& req) -> caf::result<llm_answer> {
      rec->llm_requests.push_back(req);
      if (rec->llm_script.empty())
        return make_error(errc::llm_failed, "HTTP 503");
      auto a = rec->llm_script.front();
      rec->llm_script.erase(rec->llm_script.begin());
      return a;
    },
  };
}

sender_actor::behavior_type fake_sender(sender_actor::pointer self,
                                        std::shared_ptr<recorder> rec) {
  return {
    [=](atom::send, const outbox_item& item) { rec->sent.push_back(item); },
    [=](atom::retry, const std::string&) {},
    [=](atom::tick, const std::string&) {},
    [=](atom::retry) {},
    [=](atom::send, int64_t, const net::client_response&) {},
    [=](atom::recover) {},
    [=](atom::mark_read, const std::string&, const std::string&) {},
  };
}

int64_t at(const std::string& rfc3339) { return *tz::parse_rfc3339(rfc3339); }

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<recorder> rec = std::make_shared<recorder>();
  std::shared_ptr<config> cfg = std::make_shared<config>();
  brief_sources sources;
  std::shared_ptr<int64_t> now = std::make_shared<int64_t>(at("2026-12-01T06:00:00Z"));
  std::vector<scheduler_actor> schedulers;

  ~fixture() {
    // A scheduler always has its next look at the clock pending: stop it, or
    // the fixture's final run would tick forever.
    for (auto& s : schedulers)
      caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
    sched.run();
  }

  fixture() {
    tenant_config t;
    t.id = "ops";
    t.owner = "316";
    t.timezone = "Europe/Amsterdam";
    t.brief_at = "07:00";
    t.connectors.calendar.provider = "caldav";
    t.connectors.github.enabled = true;
    cfg->tenants->put(t, /*from_file=*/true);
    cfg->brief.deadline_ms = 1000;
    auto directory = std::make_shared<connector_directory>();
    directory->by_tenant["ops"]["calendar"] = sys.spawn(fake_connector,
                                                        std::vector<std::string>{"09:30 Standup"}, false);
    directory->by_tenant["ops"]["github"] = sys.spawn(fake_connector, std::vector<std::string>{}, true);
    sources.connectors = directory;
    sources.storage = sys.spawn(fake_storage, rec);
  }

  brief_actor composer() {
    return sys.spawn(brief_composer, std::const_pointer_cast<const config>(cfg), sources);
  }

  composed_brief compose() {
    auto c = composer();
    composed_brief out;
    auto rh = self->request(c, caf::infinite, atom::brief_v, std::string("ops"),
                            std::string("2026-12-01"));
    run();
    rh.receive([&](const composed_brief& b) { out = b; },
               [&](caf::error& err) { CAF_FAIL("unexpected error: " << err); });
    return out;
  }

  /// The wall clock moves to `t` and the scheduler's next look comes (it
  /// looks at least once a minute).
  void look_at(int64_t t) {
    *now = t;
    sched.clock().advance_time(std::chrono::seconds(61));
    sched.run();
  }

  scheduler_actor start_scheduler(brief_actor c) {
    morning_brief_deps brief_deps;
    brief_deps.storage = sources.storage;
    brief_deps.composer = c;
    brief_deps.senders.push_back(sys.spawn(fake_sender, rec));
    scheduler_deps deps;
    if (!cfg->automation.schedules.empty())
      deps.runner = sys.spawn(fake_runner, rec);
    deps.briefs = sys.spawn(morning_brief, std::const_pointer_cast<const config>(cfg),
                            brief_deps);
    auto clock = now;
    deps.now = [clock] { return *clock; };
    auto s = sys.spawn(scheduler, std::const_pointer_cast<const config>(cfg), deps);
    schedulers.push_back(s);
    sched.run();
    return s;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(brief_tests, fixture)

CAF_TEST(a source that does not answer by the deadline is reported and the rest arrives) {
  auto b = compose();
  CAF_CHECK_EQUAL(b.how, "template");
  CAF_CHECK_EQUAL(b.error, "no LLM configured");
  CAF_CHECK(b.text.find("*Agenda*\n- 09:30 Standup") != std::string::npos);
  CAF_CHECK(b.text.find("*GitHub*: unavailable: did not answer within 1000 ms") != std::string::npos);
  CAF_CHECK(b.text.find("*Tasks*\n- send the invoice") != std::string::npos);
  // Sources the tenant never configured are left out, not listed as missing.
  CAF_CHECK(b.text.find("Weather") == std::string::npos);
}

CAF_TEST(the model writes the brief only when its answer passes the checks) {
  sources.llm.push_back(sys.spawn(fake_llm, rec));
  rec->llm_script.push_back({"Good morning!\n\n**Priorities:**", {}});
  auto refused = compose();
  CAF_CHECK_EQUAL(refused.how, "template");
  CAF_CHECK(refused.error.rfind("the model's brief was refused: ", 0) == 0);
  rec->llm_script.push_back({"Standup at 09:30.\nPriorities:\n1. Standup\n2. Invoice\n3. Reviews", {}});
  auto written = compose();
  CAF_CHECK_EQUAL(written.how, "llm");
  CAF_CHECK_EQUAL(written.text, "Standup at 09:30.\nPriorities:\n1. Standup\n2. Invoice\n3. Reviews");
  // The data went as a user message; the failing source is named in it.
  auto& data = rec->llm_requests.back().messages.at(0).content;
  CAF_CHECK(data.find("- 09:30 Standup") != std::string::npos);
  CAF_CHECK(data.find("unavailable: did not answer") != std::string::npos);
  auto failed = compose();  // the script is empty: the LLM fails
  CAF_CHECK_EQUAL(failed.how, "template");
  CAF_CHECK(failed.error.rfind("the LLM failed", 0) == 0);
}

CAF_TEST(the scheduler fires the brief once a day and a restarted one does not repeat it) {
  sources.connectors = nullptr;  // no slow sources: the brief is the tasks
  auto c = composer();
  start_scheduler(c);
  CAF_REQUIRE_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->sent[0].recipient, "316");
  CAF_CHECK_EQUAL(rec->deliveries.at(0).date, "2026-12-01");
  // A minute later the scheduler looks again: nothing new.
  look_at(*now + 60000);
  CAF_CHECK_EQUAL(rec->sent.size(), 1u);
  // A second scheduler (parley restarted) finds the day claimed and queued.
  start_scheduler(c);
  CAF_CHECK_EQUAL(rec->claims, 2);
  CAF_CHECK_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->deliveries.size(), 1u);
}

CAF_TEST(a brief left composing by a crash is composed again and sent once) {
  sources.connectors = nullptr;
  rec->briefs["ops 2026-12-01"] = "composing";  // claimed, then the process died
  *now = at("2026-12-01T09:30:00Z");            // 10:30 local: before the catch-up time
  start_scheduler(composer());
  CAF_CHECK_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->briefs["ops 2026-12-01"], "queued");
}

CAF_TEST(before brief_at the scheduler sleeps until it) {
  sources.connectors = nullptr;
  *now = at("2026-12-01T05:00:00Z");  // 06:00 local
  start_scheduler(composer());
  CAF_CHECK_EQUAL(rec->claims, 0);
  look_at(at("2026-12-01T06:00:00Z"));
  CAF_CHECK_EQUAL(rec->sent.size(), 1u);
}

CAF_TEST(a brief that cannot be claimed is tried again a minute later and sent once) {
  sources.connectors = nullptr;
  rec->claims_failing = 1;  // PostgreSQL down at 07:00
  start_scheduler(composer());
  CAF_CHECK_EQUAL(rec->sent.size(), 0u);
  look_at(*now + 60000);
  CAF_CHECK_EQUAL(rec->claims, 2);
  CAF_CHECK_EQUAL(rec->sent.size(), 1u);
}

CAF_TEST(a brief that still fails at the catch up time waits for the next morning) {
  sources.connectors = nullptr;
  rec->claims_failing = 1000;
  *now = at("2026-12-01T10:59:30Z");  // 11:59:30 local, catch-up until 12:00
  start_scheduler(composer());
  CAF_CHECK_EQUAL(rec->claims, 1);
  look_at(at("2026-12-01T11:05:00Z"));
  CAF_CHECK_EQUAL(rec->claims, 1);  // not tried after 12:00
  rec->claims_failing = 0;
  look_at(at("2026-12-02T06:00:00Z"));
  CAF_CHECK_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->deliveries.back().date, "2026-12-02");
}

CAF_TEST(one scheduler fires the schedules and the brief each at its own time) {
  sources.connectors = nullptr;
  schedule_config s;
  s.name = "standup";
  s.cron = "15 5 * * 1-5";  // weekdays 05:15 UTC
  s.workflow = "post_standup";
  cfg->automation.schedules.push_back(s);
  *now = at("2026-12-01T05:00:00Z");  // a Tuesday, 06:00 in Amsterdam
  start_scheduler(composer());
  CAF_CHECK(rec->triggers.empty());
  look_at(at("2026-12-01T05:15:00Z"));
  CAF_REQUIRE_EQUAL(rec->triggers.size(), 1u);
  CAF_CHECK_EQUAL(rec->triggers[0],
                  "standup post_standup " + std::to_string(at("2026-12-01T05:15:00Z")));
  CAF_CHECK_EQUAL(rec->sent.size(), 0u);
  look_at(at("2026-12-01T06:00:00Z"));  // 07:00 local: the brief
  CAF_CHECK_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->triggers.size(), 1u);
}

CAF_TEST(a brief time changed while running is in force from the next look) {
  sources.connectors = nullptr;
  *now = at("2026-12-01T05:00:00Z");  // 06:00 local
  start_scheduler(composer());
  auto t = *cfg->tenant_by_id("ops");
  t.brief_at = "06:30";
  cfg->tenants->put(t, /*from_file=*/true);
  look_at(*now);  // the next look sees the change
  CAF_CHECK_EQUAL(rec->claims, 0);
  look_at(at("2026-12-01T05:30:00Z"));  // 06:30 local
  CAF_CHECK_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->deliveries.at(0).date, "2026-12-01");
}

CAF_TEST_FIXTURE_SCOPE_END()
