#define CAF_SUITE session
#include "actors/errors.hpp"
#include "actors/conversation/router.hpp"
#include "actors/conversation/session.hpp"
#include "protocol/commands.hpp"

#define FAIL CAF_FAIL
#include <caf/test/dsl.hpp>

#include <caf/typed_event_based_actor.hpp>

#include <map>

#include <nlohmann/json.hpp>

using namespace parley;

namespace {

/// What the stand-ins for storage, the LLM, the sender and the router saw.
struct recorder {
  std::vector<completion> completions;
  std::vector<llm_request> llm_requests;
  std::vector<int> llm_workers;            ///< which worker took each call
  std::vector<outbox_item> sent;
  std::vector<memory_entry> stored_memory;
  bool llm_fails = false;
  size_t llm_answers = SIZE_MAX;           ///< calls after this many fail
  std::vector<llm_answer> llm_script;      ///< answers before the default
  std::vector<action_request> checks;      ///< what the gate was asked
  std::vector<approval_reply> resolves;
  std::vector<policy_decision> decisions;  ///< the gate's answers, in order
  std::string resolve_status = "none_pending";
  std::vector<std::string> marked_read;
  std::vector<relevance> scores;           ///< the scorer's answers, in order
  std::vector<std::vector<memory_entry>> scored_with;
  bool already_complete = false;  ///< storage answers as for a repeat
  int memory_reads = 0;           ///< how often a session read its memory
  int failing_reads = 0;          ///< this many reads fail first (storage down)
  std::vector<std::string> tasks;          ///< open tasks storage reports
  int failing_task_reads = 0;              ///< this many task reads fail first
  std::map<std::string, std::string> briefs;  ///< "tenant date" -> state
  std::vector<brief_delivery> deliveries;  ///< briefs handed to storage
  std::vector<booking_call> booking_calls; ///< what the booking desk was asked
  std::string door = "";                   ///< the front door's path for customers
  std::vector<std::string> staff_replies;  ///< staff replies the desk passed on
  /// Acknowledged messages whose events are not complete, by event id (what
  /// the router reads back when it left them in storage).
  std::map<int64_t, inbound_message> pending;
  std::vector<std::vector<int64_t>> loads;  ///< the ids the router read back
  std::vector<conversation_key> rereads;    ///< chats whose pending were read again
};

/// The booking desk: books anything, lets every customer in unless `door`
/// says otherwise, and passes staff replies on.
booking_desk_actor::behavior_type fake_desk(booking_desk_actor::pointer self,
                                            std::shared_ptr<recorder> rec) {
  return {
    [=](atom::run, const booking_call& call) {
      rec->booking_calls.push_back(call);
      return std::string(R"({"booked": {"booking_id": 7, "status": "confirmed"}})");
    },
    [=](atom::touch, const std::string&, const std::string&, const std::string&) {},
    [=](atom::check, const inbound_message&) {
      return caf::result<std::string, std::string, std::string>(rec->door, "", "handed over");
    },
    [=](atom::pause, const std::string&, const std::string&, const std::string&,
        const std::string&, const std::string&) { return std::string("a person will answer"); },
    [=](atom::reply, const inbound_message& m) {
      rec->staff_replies.push_back(m.text);
      return std::string("Verstuurd aan +31600000001.");
    },
    [=](atom::resume, const std::string&, const std::string&) { return true; },
    [=](atom::tick) {},
    [=](atom::mirror) {},
  };
}

scorer_actor::behavior_type fake_scorer(scorer_actor::pointer self,
                                        std::shared_ptr<recorder> rec) {
  return {
    [=](atom::score, const std::string&, const std::vector<memory_entry>& memory,
        const inbound_message&) {
      rec->scored_with.push_back(memory);
      auto r = rec->scores.front();
      rec->scores.erase(rec->scores.begin());
      return r;
    },
  };
}

/// Answers checks from `decisions` in order (then "allow"); resolves with
/// `resolve_status`.
policy_gate_actor::behavior_type fake_gate(policy_gate_actor::pointer self,
                                           std::shared_ptr<recorder> rec) {
  return {
    [=](atom::check, const action_request& req) {
      rec->checks.push_back(req);
      if (rec->decisions.empty())
        return policy_decision{"allow", 0, "allowlisted", "`" + req.line + "` exited with 0."};
      auto d = rec->decisions.front();
      rec->decisions.erase(rec->decisions.begin());
      return d;
    },
    [=](atom::resolve, const approval_reply& r) {
      rec->resolves.push_back(r);
      return approval_outcome{rec->resolve_status, r.id, "", "decided"};
    },
    [=](atom::list, const std::string&) { return std::vector<approval_record>{}; },
    [=](atom::load, int64_t) { return approval_record{}; },
    [=](atom::drafts, const std::string&) { return std::vector<outbox_item>{}; },
    [=](atom::release, int64_t, bool) { return outbox_item{}; },
  };
}

storage_actor::behavior_type fake_storage(storage_actor::pointer self,
                                          std::shared_ptr<recorder> rec) {
  return {
    [=](atom::load, const conversation_key&,
        int32_t limit) -> caf::result<std::vector<memory_entry>> {
      ++rec->memory_reads;
      if (rec->failing_reads > 0 && rec->failing_reads-- > 0)
        return make_error(errc::storage_unavailable, "connection refused");
      auto& m = rec->stored_memory;
      auto from = m.size() > static_cast<size_t>(limit) ? m.size() - limit : 0;
      return std::vector<memory_entry>(m.begin() + from, m.end());
    },
    [=](atom::complete, const completion& c, const std::string& channel) {
      rec->completions.push_back(c);
      rec->pending.erase(c.message.event_id);
      completion_result r;
      r.applied = !rec->already_complete;
      r.reply = c.reply;
      // Like the store: nothing to send for a message ignored or heard silently.
      if (c.path != answer_path::ignored && c.path != answer_path::silent)
        r.outbox.push_back(outbox_item::to(int64_t(rec->completions.size()),
                                           c.message.tenant, c.message.chat,
                                           channel, c.message.sender, r.reply));
      return r;
    },
    [=](atom::pending, const std::vector<std::string>&) {
      std::vector<int64_t> ids;
      for (auto& [id, m] : rec->pending)
        ids.push_back(id);
      return ids;
    },
    [=](atom::load, const std::vector<int64_t>& ids) {
      rec->loads.push_back(ids);
      std::vector<inbound_message> out;
      for (auto id : ids)
        if (auto i = rec->pending.find(id); i != rec->pending.end())
          out.push_back(i->second);
      return out;
    },
    [=](atom::pending, const conversation_key& key) {
      rec->rereads.push_back(key);
      std::vector<inbound_message> out;
      for (auto& [id, m] : rec->pending)
        if (m.tenant == key.tenant && m.chat == key.chat)
          out.push_back(m);
      return out;
    },
    [=](atom::pending, atom::send, const std::vector<std::string>&) {
      return std::vector<outbox_item>{};
    },
    [=](atom::inspect, const std::string&, const std::string&, const std::string&,
        const std::string&, int32_t) { return std::string("{}"); },
    [=](atom::decisions, const std::string&, const std::string&) {
      return std::vector<decision_record>{};
    },
    [=](atom::tasks, const std::string&,
        const std::string&) -> caf::result<std::vector<std::string>> {
      if (rec->failing_task_reads > 0 && rec->failing_task_reads-- > 0)
        return make_error(errc::storage_unavailable, "connection refused");
      return rec->tasks;
    },
    // Claims and queues like the briefs table: once per tenant and day.
    [=](atom::claim, const std::string& tenant, const std::string& date) {
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
      q.outbox.push_back(outbox_item::to(100 + int64_t(rec->deliveries.size()), d.tenant,
                                         d.chat, d.channel, d.recipient, d.brief.text));
      return q;
    },
    [=](atom::send, outbox_item item) {
      item.id = 1000 + int64_t(rec->sent.size());
      return item;
    },
    [=](atom::brief, atom::status, const std::string& tenant, const std::string& date) {
      return brief_record{tenant, date, rec->briefs[tenant + " " + date], "", "", ""};
    },
  };
}

llm_actor::behavior_type fake_llm(llm_actor::pointer self,
                                  std::shared_ptr<recorder> rec, int index) {
  return {
    [=](atom::generate, const llm_request& req) -> caf::result<llm_answer> {
      rec->llm_requests.push_back(req);
      rec->llm_workers.push_back(index);
      if (rec->llm_fails || rec->llm_requests.size() > rec->llm_answers)
        return make_error(errc::llm_failed, "HTTP 500");
      if (!rec->llm_script.empty()) {
        auto a = rec->llm_script.front();
        rec->llm_script.erase(rec->llm_script.begin());
        return a;
      }
      return llm_answer{"**sure**", {}};
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
    [=](atom::mark_read, const std::string&, const std::string& id) {
      rec->marked_read.push_back(id);
    },
  };
}

/// Reports "<topic> <date>: 14:00 Call with Sara" for any question.
connector_actor::behavior_type fake_connector(connector_actor::pointer self,
                                              std::shared_ptr<recorder> rec) {
  return {
    [=](atom::summary, const std::string& topic, const std::string& date) {
      connector_report r;
      r.connector = "calendar";
      r.status = "ok";
      r.lines.push_back(topic + " " + date + ": 14:00 Call with Sara");
      return r;
    },
  };
}

router_actor::behavior_type fake_router(router_actor::pointer self,
                                        std::shared_ptr<recorder> rec) {
  return {
    [=](atom::route, const inbound_message&) {},
    [=](atom::done, const conversation_key&) {},
    [=](atom::pending, const std::vector<int64_t>&) {},
    [=](atom::tick) {},
    [=](atom::idle) {},
  };
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<recorder> rec = std::make_shared<recorder>();
  session_deps deps;
  router_actor router;
  tenant_config tenant;

  fixture() {
    deps.storage.push_back(sys.spawn(fake_storage, rec));
    deps.llm.push_back(sys.spawn(fake_llm, rec, 0));
    deps.senders.push_back(sys.spawn(fake_sender, rec));
    deps.gate = sys.spawn(fake_gate, rec);
    deps.scorer = sys.spawn(fake_scorer, rec);
    router = sys.spawn(fake_router, rec);
    tenant.id = "ops";
    tenant.kind = "personal";
    tenant.owner = "316";
    tenant.system_prompt = "be brief";
    tenant.memory = 4;
    tenant.shell.enabled = true;
  }

  /// A configuration with the one personal tenant, and `extra` top-level
  /// keys (JSON members, comma-free at the end).
  std::shared_ptr<const config> router_config(const std::string& extra = "") {
    auto text = R"({)" + extra + (extra.empty() ? "" : ", ")
                + R"("tenants": [{"id": "ops", "kind": "personal",
                    "phone_number_id": "1", "owner": "316"}]})";
    return std::make_shared<const config>(
      parse_config(text, [](const std::string&) { return std::nullopt; }));
  }

  session_actor start() {
    auto s = sys.spawn(session, conversation_key{"ops", "316"},
                       std::make_shared<const tenant_config>(tenant),
                       std::make_shared<const session_deps>(deps), router);
    sched.run();
    return s;
  }

  inbound_message msg(const std::string& text, const std::string& from = "316") {
    static int64_t id = 0;
    inbound_message m;
    m.event_id = ++id;
    m.provider = "meta";
    m.tenant = "ops";
    m.chat = from;
    m.sender = from;
    m.kind = "text";
    m.text = text;
    return m;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(session_tests, fixture)

// A task command's write travels in its completion (one statement, so it is
// written once, with the claim of its event); its reply is worded from the
// open tasks read just before.
CAF_TEST(a task is added by its completion without asking the llm) {
  rec->tasks = {"brood halen"};
  auto s = start();
  self->send(s, atom::route_v, msg("taak: fiets plakken"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  auto& c = rec->completions[0];
  CAF_CHECK(c.path == answer_path::command);
  CAF_CHECK_EQUAL(c.task_added, "fiets plakken");
  CAF_CHECK_EQUAL(c.task_done, 0);
  CAF_CHECK(rec->llm_requests.empty());
  CAF_REQUIRE_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->sent[0].body, task_added_reply("en", 2, "fiets plakken"));
  CAF_CHECK_EQUAL(rec->sent[0].channel, "meta");
}

CAF_TEST(klaar marks the open task at that place done and names it) {
  rec->tasks = {"fiets plakken", "brood halen"};
  auto s = start();
  self->send(s, atom::route_v, msg("klaar 2"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  auto& c = rec->completions[0];
  CAF_CHECK_EQUAL(c.task_done, 2);
  CAF_CHECK_EQUAL(c.task_done_title, "brood halen");
  CAF_CHECK(c.task_added.empty());
  CAF_REQUIRE_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->sent[0].body, task_done_reply("en", 2, "brood halen"));
}

CAF_TEST(klaar with a number no open task has writes nothing and says so) {
  rec->tasks = {"fiets plakken"};
  auto s = start();
  self->send(s, atom::route_v, msg("klaar 3"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK_EQUAL(rec->completions[0].task_done, 0);
  CAF_REQUIRE_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->sent[0].body, no_such_task_reply("en", 3, 1));
}

CAF_TEST(the task list is read and then completed with its reply) {
  rec->tasks = {"fiets plakken", "brood halen"};
  auto s = start();
  self->send(s, atom::route_v, msg("taken"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  auto& c = rec->completions[0];
  CAF_CHECK(c.path == answer_path::command);
  CAF_CHECK(c.task_added.empty() && c.task_done == 0);
  CAF_CHECK_EQUAL(c.reply, task_list_reply("en", rec->tasks));
  CAF_CHECK(rec->llm_requests.empty());
  CAF_REQUIRE_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->sent[0].body, task_list_reply("en", rec->tasks));
}

CAF_TEST(tasks that cannot be read are answered after the back-off) {
  rec->tasks = {"fiets plakken"};
  rec->failing_task_reads = 1;
  auto s = start();
  self->send(s, atom::route_v, msg("taak: brood"));
  sched.run();
  CAF_CHECK(rec->completions.empty());
  trigger_timeouts();  // the storage back-off
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK_EQUAL(rec->completions[0].task_added, "brood");
  CAF_REQUIRE_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->sent[0].body, task_added_reply("en", 2, "brood"));
}

// The first completion was committed but its answer lost (a timeout while
// storage was slow): the repeat hands the unsent rows to the sender, and the
// memory does not count the exchange twice.
CAF_TEST(an already completed message still hands its unsent reply to the sender) {
  rec->already_complete = true;
  auto s = start();
  self->send(s, atom::route_v, msg("taak: fiets"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->sent[0].body, task_added_reply("en", 1, "fiets"));
  self->send(s, atom::route_v, msg("hallo"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 1u);
  auto memory_before = rec->llm_requests[0].messages.size();
  CAF_CHECK_EQUAL(memory_before, 1u); // only the new message
}

CAF_TEST(free text goes to the llm and its markdown becomes whatsapp markup) {
  auto s = start();
  self->send(s, atom::route_v, msg("plan my day"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 1u);
  CAF_CHECK_EQUAL(rec->llm_requests[0].system_prompt, "be brief");
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK(rec->completions[0].path == answer_path::llm);
  CAF_CHECK_EQUAL(rec->completions[0].reply, "*sure*");
}

// A slow model call must not hold up another chat's call while a worker is
// idle: calls take the workers in turn rather than by chat.
CAF_TEST(llm calls take the workers in turn) {
  deps.llm.push_back(sys.spawn(fake_llm, rec, 1));
  auto s = start();
  for (auto text : {"plan my day", "and tomorrow", "and the day after"})
    self->send(s, atom::route_v, msg(text));
  sched.run();
  CAF_CHECK_EQUAL(rec->llm_workers, (std::vector<int>{0, 1, 0}));
}

CAF_TEST(a failing llm still gets the person a deterministic answer) {
  rec->llm_fails = true;
  auto s = start();
  self->send(s, atom::route_v, msg("plan my day"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK(rec->completions[0].path == answer_path::fallback);
  CAF_CHECK(rec->completions[0].reply.find("not reachable") != std::string::npos);
  CAF_CHECK_EQUAL(rec->sent.size(), 1u);
}

CAF_TEST(a command in a new conversation is answered without reading its memory) {
  rec->stored_memory.push_back({"user", "earlier"});
  auto s = start();
  self->send(s, atom::route_v, msg("taken"));
  sched.run();
  CAF_CHECK_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->memory_reads, 0);
  // The model needs the conversation: read once, then kept.
  self->send(s, atom::route_v, msg("hallo"));
  self->send(s, atom::route_v, msg("nog iets"));
  sched.run();
  CAF_CHECK_EQUAL(rec->memory_reads, 1);
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 2u);
  CAF_CHECK_EQUAL(rec->llm_requests[0].messages.front().content, "earlier");
  CAF_CHECK_EQUAL(rec->llm_requests[1].messages.size(), 4u);  // earlier, hallo, reply, nog iets
}

CAF_TEST(a memory read that fails leaves the message to be answered after the back-off) {
  rec->failing_reads = 1;
  auto s = start();
  self->send(s, atom::route_v, msg("hallo"));
  sched.run();
  CAF_CHECK(rec->llm_requests.empty());
  CAF_CHECK(rec->completions.empty());
  trigger_timeouts();  // the storage back-off
  sched.run();
  CAF_CHECK_EQUAL(rec->memory_reads, 2);
  CAF_CHECK_EQUAL(rec->llm_requests.size(), 1u);
  CAF_CHECK_EQUAL(rec->completions.size(), 1u);
}

CAF_TEST(beyond max_sessions the least recently used session is passivated and loses nothing) {
  auto cfg = router_config(R"("max_sessions": 2)");
  auto r = sys.spawn(parley::router, cfg, deps);
  auto say = [&](const std::string& chat, const std::string& text) {
    auto m = msg(text);
    m.chat = chat;
    self->send(r, atom::route_v, m);
    sched.run();
  };
  say("a", "hallo");
  say("b", "hallo");
  say("a", "nog iets");  // a is now the most recently used
  CAF_CHECK_EQUAL(rec->memory_reads, 2);
  say("c", "hallo");     // a third session: b, the least recent, goes
  say("a", "en verder"); // a stayed: its memory is still in the session
  CAF_CHECK_EQUAL(rec->memory_reads, 3);
  say("b", "daar ben ik weer");  // b comes back: its memory is read again
  CAF_CHECK_EQUAL(rec->memory_reads, 4);
  CAF_CHECK_EQUAL(rec->llm_requests.size(), 6u);
  CAF_CHECK_EQUAL(rec->completions.size(), 6u);
  self->send_exit(r, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(beyond max_queued_messages acknowledged messages wait in storage and all are answered in order) {
  auto cfg = router_config(R"("max_queued_messages": 2)");
  auto r = sys.spawn(parley::router, cfg, deps);
  // Six acknowledged messages from three chats arrive at once: committed
  // (pending in storage), then routed.
  std::vector<int64_t> ids;
  for (int round = 1; round <= 2; ++round)
    for (auto chat : {"a", "b", "c"}) {
      auto m = msg(std::string("bericht ") + std::to_string(round));
      m.chat = chat;
      rec->pending[m.event_id] = m;
      ids.push_back(m.event_id);
      self->send(r, atom::route_v, m);
    }
  sched.run();
  // Only two were ever in the sessions' hands from the live delivery; the
  // other four were read back from storage, each once, oldest first.
  std::vector<int64_t> read_back;
  for (auto& load : rec->loads)
    read_back.insert(read_back.end(), load.begin(), load.end());
  CAF_CHECK_EQUAL(read_back, std::vector<int64_t>(ids.begin() + 2, ids.end()));
  CAF_REQUIRE_EQUAL(rec->completions.size(), 6u);
  CAF_CHECK(rec->pending.empty());
  // Each chat's two messages in the order they arrived.
  for (auto chat : {"a", "b", "c"}) {
    std::vector<std::string> texts;
    for (auto& c : rec->completions)
      if (c.message.chat == chat)
        texts.push_back(c.message.text);
    CAF_CHECK_EQUAL(texts, (std::vector<std::string>{"bericht 1", "bericht 2"}));
  }
  self->send_exit(r, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(a waiting message answered meanwhile is not answered again) {
  auto cfg = router_config(R"("max_queued_messages": 1)");
  auto r = sys.spawn(parley::router, cfg, deps);
  auto first = msg("taken");
  auto second = msg("taken");
  second.chat = "b";
  rec->pending[first.event_id] = first;
  // The second was completed by another path (a repeat) before its turn:
  // storage no longer lists it as pending.
  self->send(r, atom::route_v, first);
  self->send(r, atom::route_v, second);
  sched.run();
  CAF_REQUIRE_EQUAL(rec->loads.size(), 1u);
  CAF_CHECK_EQUAL(rec->loads[0], std::vector<int64_t>{second.event_id});
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK_EQUAL(rec->completions[0].message.event_id, first.event_id);
  self->send_exit(r, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(messages waiting at start are read from storage in arrival order) {
  auto cfg = router_config(R"("max_queued_messages": 2)");
  auto r = sys.spawn(parley::router, cfg, deps);
  std::vector<int64_t> ids;
  for (auto text : {"taak: a", "taak: b", "taken", "klaar 1", "taken"}) {
    auto m = msg(text);
    rec->pending[m.event_id] = m;
    ids.push_back(m.event_id);
  }
  self->send(r, atom::pending_v, ids);
  sched.run();
  CAF_CHECK(rec->loads.size() > 1u);  // a few at a time, not all at once
  std::vector<std::string> lines;
  for (auto& c : rec->completions)
    lines.push_back(c.message.text);
  CAF_CHECK_EQUAL(lines, (std::vector<std::string>{"taak: a", "taak: b", "taken",
                                                    "klaar 1", "taken"}));
  self->send_exit(r, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(the llm sees the restored memory capped to the tenant size) {
  for (int i = 1; i <= 6; ++i)
    rec->stored_memory.push_back({i % 2 ? "user" : "assistant",
                                  "m" + std::to_string(i)});
  auto s = start();
  self->send(s, atom::route_v, msg("first"));
  self->send(s, atom::route_v, msg("second"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 2u);
  auto& first = rec->llm_requests[0].messages;
  CAF_REQUIRE_EQUAL(first.size(), 5u); // 4 remembered + the new message
  CAF_CHECK_EQUAL(first[0].content, "m3");
  CAF_CHECK_EQUAL(first[4].content, "first");
  auto& second = rec->llm_requests[1].messages;
  CAF_REQUIRE_EQUAL(second.size(), 5u);
  CAF_CHECK_EQUAL(second[0].content, "m5");
  CAF_CHECK_EQUAL(second[2].content, "first");
  CAF_CHECK_EQUAL(second[3].content, "*sure*");
  CAF_CHECK_EQUAL(second[4].content, "second");
}

CAF_TEST(messages are answered strictly in arrival order) {
  auto s = start();
  for (auto text : {"taak: a", "hello", "taken"})
    self->send(s, atom::route_v, msg(text));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 3u);
  CAF_CHECK_EQUAL(rec->completions[0].message.text, "taak: a");
  CAF_CHECK_EQUAL(rec->completions[1].message.text, "hello");
  CAF_CHECK_EQUAL(rec->completions[2].message.text, "taken");
}

CAF_TEST(a stranger on a personal tenant is recorded and not answered) {
  auto s = start();
  self->send(s, atom::route_v, msg("hi there", "999"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK(rec->completions[0].path == answer_path::ignored);
  CAF_CHECK(rec->sent.empty());
  CAF_CHECK(rec->llm_requests.empty());
}

CAF_TEST(the router passivates a session idle for session_idle_s and keeps a busy one) {
  auto cfg = router_config();
  deps.idle = std::chrono::seconds(600);
  auto r = sys.spawn(parley::router, cfg, deps);
  auto say = [&](const std::string& chat, const std::string& text) {
    auto m = msg(text);
    m.chat = chat;
    self->send(r, atom::route_v, m);
    sched.run();
  };
  say("a", "hallo");
  CAF_CHECK_EQUAL(rec->memory_reads, 1);
  // 450 s later (three sweeps): not idle long enough, the session stays.
  for (int i = 0; i < 3; ++i) {
    advance_time(std::chrono::seconds(150));
    sched.run();
  }
  say("a", "nog iets");
  CAF_CHECK_EQUAL(rec->memory_reads, 1);  // the same session, memory in hand
  // 750 s more (five sweeps) without a message: it was passivated, and the
  // chat's next message reads its memory again in a new session.
  for (int i = 0; i < 5; ++i) {
    advance_time(std::chrono::seconds(150));
    sched.run();
  }
  say("a", "daar ben ik weer");
  CAF_CHECK_EQUAL(rec->memory_reads, 2);
  CAF_CHECK_EQUAL(rec->completions.size(), 3u);
  self->send_exit(r, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(a shell request needing approval replies with the prompt and its approval) {
  rec->decisions.push_back({"pending", 7, "needs approval", "Approval needed (7)"});
  auto s = start();
  self->send(s, atom::route_v, msg("shell: touch x"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->checks.size(), 1u);
  CAF_CHECK_EQUAL(rec->checks[0].line, "touch x");
  CAF_CHECK_EQUAL(rec->checks[0].requested_by, "316");
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  auto c = rec->completions[0];
  CAF_CHECK(c.path == answer_path::action);
  CAF_CHECK_EQUAL(c.reply, "Approval needed (7)");
  CAF_CHECK_EQUAL(c.approval_id, 7);
  CAF_CHECK(rec->llm_requests.empty());
}

CAF_TEST(the owner is offered the shell tool and a pending call is reported) {
  rec->llm_script.push_back({"", {{"call_1", "run_shell", R"({"command":"touch x"})"}}});
  rec->decisions.push_back({"pending", 8, "needs approval", "Approval needed (8)"});
  auto s = start();
  self->send(s, atom::route_v, msg("please create x"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 1u);
  auto offered = std::vector<std::string>{"tasks", "run_shell"};
  CAF_CHECK_EQUAL(rec->llm_requests[0].tools, offered);
  CAF_REQUIRE_EQUAL(rec->checks.size(), 1u);
  CAF_CHECK_EQUAL(rec->checks[0].line, "touch x");
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  auto c = rec->completions[0];
  CAF_CHECK_EQUAL(c.reply, "Approval needed (8)");
  CAF_CHECK_EQUAL(c.approval_id, 8);
}

CAF_TEST(an allowed tool call goes back to the model with one action per message) {
  rec->llm_script.push_back({"", {{"c1", "run_shell", R"({"command":"uptime"})"},
                                  {"c2", "run_shell", R"({"command":"df -h"})"}}});
  rec->llm_script.push_back({"Up **3 days**.", {}});
  auto s = start();
  self->send(s, atom::route_v, msg("how long is the server up"));
  sched.run();
  CAF_CHECK_EQUAL(rec->checks.size(), 1u); // one action per message
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 2u);
  auto second = rec->llm_requests[1];
  CAF_CHECK(!second.tools.empty());  // rounds are left
  CAF_REQUIRE_EQUAL(second.rounds.size(), 1u);
  auto& results = second.rounds[0].results;
  CAF_REQUIRE_EQUAL(results.size(), 2u);
  CAF_CHECK_EQUAL(results[0], "`uptime` exited with 0.");
  CAF_CHECK_EQUAL(results[1], "not run: one action per message");
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK(rec->completions[0].path == answer_path::llm);
  CAF_CHECK_EQUAL(rec->completions[0].reply, "Up *3 days*.");
}

CAF_TEST(when the second round fails the action report is the answer) {
  rec->llm_script.push_back({"", {{"c1", "run_shell", R"({"command":"uptime"})"}}});
  auto s = start();
  rec->llm_answers = 1;
  self->send(s, atom::route_v, msg("uptime please"));
  sched.run();
  CAF_CHECK_EQUAL(rec->llm_requests.size(), 2u);
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK(rec->completions[0].path == answer_path::action);
  CAF_CHECK_EQUAL(rec->completions[0].reply, "`uptime` exited with 0.");
}

CAF_TEST(a malformed tool call is answered to the model without asking the gate) {
  rec->llm_script.push_back({"", {{"c1", "run_shell", R"({"cmd":1})"}}});
  rec->llm_script.push_back({"I could not run that.", {}});
  auto s = start();
  self->send(s, atom::route_v, msg("do something"));
  sched.run();
  CAF_CHECK(rec->checks.empty());
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 2u);
  CAF_CHECK_EQUAL(rec->llm_requests[1].rounds.at(0).results.at(0),
                  "error: the arguments have no \"command\" text");
}

CAF_TEST(two read tools in one round both run and each result is its own tool message) {
  tenant.connectors.calendar.provider = "caldav";
  auto directory = std::make_shared<connector_directory>();
  directory->by_tenant["ops"]["calendar"] = sys.spawn(fake_connector, rec);
  deps.connectors = directory;
  rec->tasks = {"send the invoice"};
  rec->llm_script.push_back({"", {{"c1", "calendar_events", R"({"date":"2026-12-02"})"},
                                  {"c2", "tasks", "{}"}}});
  rec->llm_script.push_back({"You have a call and one task.", {}});
  auto s = start();
  self->send(s, atom::route_v, msg("what is on tomorrow"));
  sched.run();
  auto offered = std::vector<std::string>{"calendar_events", "tasks", "create_event", "run_shell"};
  CAF_CHECK_EQUAL(rec->llm_requests.at(0).tools, offered);
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 2u);
  auto& round = rec->llm_requests[1].rounds.at(0);
  CAF_CHECK_EQUAL(round.calls.size(), 2u);
  CAF_CHECK_EQUAL(round.results, (std::vector<std::string>{
                                   "agenda 2026-12-02: 14:00 Call with Sara", "1. send the invoice"}));
  CAF_CHECK(rec->checks.empty());  // reads never pass the gate
  CAF_CHECK_EQUAL(rec->completions.at(0).reply, "You have a call and one task.");
  // The run's trace holds both rounds and both calls, in order.
  auto trace = nlohmann::json::parse(rec->completions.at(0).trace);
  CAF_REQUIRE_EQUAL(trace.size(), 2u);
  CAF_REQUIRE_EQUAL(trace[0]["calls"].size(), 2u);
  CAF_CHECK_EQUAL(trace[0]["calls"][0]["name"], "calendar_events");
  CAF_CHECK_EQUAL(trace[0]["calls"][1]["name"], "tasks");
  CAF_CHECK_EQUAL(trace[1]["calls"].size(), 0u);
}

CAF_TEST(tool errors go back to the model as results not as failures) {
  rec->llm_script.push_back({"", {{"c1", "unread_mail", R"({"limit":5})"},
                                  {"c2", "send_money", "{}"},
                                  {"c3", "tasks", "not json"}}});
  rec->llm_script.push_back({"I cannot read your mail.", {}});
  auto s = start();
  self->send(s, atom::route_v, msg("any mail?"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 2u);
  CAF_CHECK_EQUAL(rec->llm_requests[1].rounds.at(0).results, (std::vector<std::string>{
    "error: not configured (set tenants[].connectors.mail)",
    "error: there is no tool named 'send_money'",
    "error: the arguments are not a JSON object"}));
  CAF_CHECK(rec->completions.at(0).path == answer_path::llm);
}

CAF_TEST(the round limit ends the loop with a plain answer) {
  deps.max_tool_rounds = 2;
  for (int i = 0; i < 3; ++i)
    rec->llm_script.push_back({"", {{"c" + std::to_string(i), "tasks", "{}"}}});
  auto s = start();
  self->send(s, atom::route_v, msg("keep looking"));
  sched.run();
  // Two rounds with tools, then one call without: the best answer so far.
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 3u);
  CAF_CHECK(!rec->llm_requests[1].tools.empty());
  CAF_CHECK(rec->llm_requests[2].tools.empty());
  CAF_CHECK_EQUAL(rec->llm_requests[2].rounds.size(), 2u);
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK(rec->completions[0].path == answer_path::fallback);  // it still gave no text
}

CAF_TEST(strangers on a business tenant are not offered tools) {
  tenant.kind = "business";
  auto s = start();
  self->send(s, atom::route_v, msg("run rm -rf for me", "999"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 1u);
  CAF_CHECK(rec->llm_requests[0].tools.empty());
}

CAF_TEST(a draft tenant holds the reply and sends no read receipt) {
  tenant.policy = "draft";
  auto s = start();
  self->send(s, atom::route_v, msg("hello"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK_EQUAL(rec->completions[0].hold, "draft");
  CAF_CHECK(rec->marked_read.empty());
}

CAF_TEST(a bare ja with nothing pending is ordinary conversation) {
  auto s = start();
  self->send(s, atom::route_v, msg("ja"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->resolves.size(), 1u);
  CAF_CHECK_EQUAL(rec->resolves[0].id, 0);
  CAF_CHECK_EQUAL(rec->resolves[0].via, "chat");
  CAF_CHECK_EQUAL(rec->llm_requests.size(), 1u);
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK(rec->completions[0].path == answer_path::llm);
}

CAF_TEST(a group message below the threshold is remembered and not answered) {
  tenant.kind = "group";
  tenant.relevance_threshold = 0.7;
  rec->scores = {{0.2, "chatter", "llm", 0.7}, {0.9, "asks the bot", "llm", 0.7}};
  auto s = start();
  auto chatter = msg("haha zaterdag barbecue", "311");
  chatter.context.group = true;
  chatter.sender_name = "Anna";
  auto question = msg("hoe laat is het overleg?", "312");
  question.context.group = true;
  question.sender_name = "Bram";
  self->send(s, atom::route_v, chatter);
  self->send(s, atom::route_v, question);
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 2u);
  CAF_CHECK(rec->completions[0].path == answer_path::silent);
  CAF_CHECK_EQUAL(rec->completions[0].decision.reason, "chatter");
  CAF_CHECK(rec->completions[1].path == answer_path::llm);
  // the second score saw the first message, labelled with its author
  CAF_REQUIRE_EQUAL(rec->scored_with.size(), 2u);
  CAF_REQUIRE_EQUAL(rec->scored_with[1].size(), 1u);
  CAF_CHECK_EQUAL(rec->scored_with[1][0].content, "Anna: haha zaterdag barbecue");
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 1u);
  CAF_CHECK(rec->llm_requests[0].tools.empty()); // no tools in groups
}

CAF_TEST(a group gets at most its replies per minute) {
  tenant.kind = "group";
  tenant.group_replies_per_minute = 2;
  for (int i = 0; i < 3; ++i)
    rec->scores.push_back({1.0, "mentions the bot", "rule", 0.7});
  auto s = start();
  for (int i = 0; i < 3; ++i) {
    auto m = msg("@bot vraag " + std::to_string(i), "311");
    m.context.group = true;
    self->send(s, atom::route_v, m);
  }
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 3u);
  CAF_CHECK(rec->completions[1].path == answer_path::llm);
  CAF_CHECK(rec->completions[2].path == answer_path::silent);
  CAF_CHECK_EQUAL(rec->completions[2].decision.reason,
                  "rate limited: 2 replies a minute (mentions the bot)");
}

CAF_TEST(a fourth reply in a row to the same author is held back as a loop) {
  tenant.kind = "group";
  tenant.memory = 20;
  for (int i = 0; i < 3; ++i) {
    rec->stored_memory.push_back({"user", "EchoBot: @Parley " + std::to_string(i)});
    rec->stored_memory.push_back({"assistant", "antwoord " + std::to_string(i)});
  }
  rec->scores = {{1.0, "mentions the bot", "rule", 0.7}};
  auto s = start();
  auto m = msg("@Parley 3", "319");
  m.context.group = true;
  m.sender_name = "EchoBot";
  self->send(s, atom::route_v, m);
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK(rec->completions[0].path == answer_path::silent);
  CAF_CHECK_EQUAL(rec->completions[0].decision.reason,
                  "possible loop with another bot: answered EchoBot 3 times in a row (mentions the bot)");
  CAF_CHECK(rec->llm_requests.empty());
}

CAF_TEST(a customer in a handed over chat is recorded silent and the model is not asked) {
  tenant.kind = "business";
  tenant.business.enabled = true;
  tenant.business.name = "Salon Noor";
  deps.bookings = sys.spawn(fake_desk, rec);
  rec->door = "silent";
  auto s = start();
  self->send(s, atom::route_v, msg("hallo? is daar iemand", "31600000001"));
  sched.run();
  CAF_CHECK(rec->llm_requests.empty());
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK(rec->completions[0].path == answer_path::silent);
  CAF_CHECK(rec->sent.empty());
}

CAF_TEST(a customer books through the desk as a customer and the model reads the result) {
  tenant.kind = "business";
  tenant.business.enabled = true;
  tenant.business.name = "Salon Noor";
  tenant.business.services.push_back({"Knippen", 30, "25 EUR"});
  deps.bookings = sys.spawn(fake_desk, rec);
  rec->llm_script.push_back({"", {{"c1", "book", R"({"service":"Knippen","start":"x"})"},
                                  {"c2", "book", "{not json"}}});
  rec->llm_script.push_back({"Geboekt!", {}});
  auto s = start();
  self->send(s, atom::route_v, msg("ik wil knippen", "31600000001"));
  sched.run();
  // Both calls of the round reach the desk, each as the customer.
  CAF_REQUIRE_EQUAL(rec->booking_calls.size(), 2u);
  CAF_CHECK_EQUAL(rec->booking_calls[0].customer, "31600000001");
  CAF_CHECK(!rec->booking_calls[0].staff);
  CAF_CHECK_EQUAL(rec->booking_calls[1].arguments, "{not json");  // the desk judges it
  CAF_REQUIRE_EQUAL(rec->llm_requests.size(), 2u);
  CAF_CHECK_EQUAL(rec->llm_requests[1].rounds.at(0).results.at(0),
                  R"({"booked": {"booking_id": 7, "status": "confirmed"}})");
  CAF_CHECK_EQUAL(rec->completions.at(0).reply, "Geboekt!");
}

CAF_TEST(staff reply to a customer through the desk without the model) {
  tenant.kind = "business";
  tenant.business.enabled = true;
  tenant.business.name = "Salon Noor";
  tenant.business.staff = {"31611111111"};
  deps.bookings = sys.spawn(fake_desk, rec);
  auto s = start();
  self->send(s, atom::route_v, msg("reply 31600000001 Ik kijk even", "31611111111"));
  sched.run();
  CAF_CHECK_EQUAL(rec->staff_replies,
                  (std::vector<std::string>{"reply 31600000001 Ik kijk even"}));
  CAF_CHECK(rec->llm_requests.empty());
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK(rec->completions[0].path == answer_path::command);
  CAF_CHECK_EQUAL(rec->completions[0].reply, "Verstuurd aan +31600000001.");
  // From a customer the same words are an ordinary message for the model.
  self->send(s, atom::route_v, msg("reply 31611111111 hoi", "31600000001"));
  sched.run();
  CAF_CHECK_EQUAL(rec->staff_replies.size(), 1u);
  CAF_CHECK_EQUAL(rec->llm_requests.size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
