#define CAF_SUITE session
#include "actors/errors.hpp"
#include "actors/session.hpp"

#define FAIL CAF_FAIL
#include <caf/test/dsl.hpp>

#include <caf/typed_event_based_actor.hpp>

using namespace parley;

namespace {

/// What the stand-ins for storage, the LLM, the sender and the router saw.
struct recorder {
  std::vector<completion> completions;
  std::vector<llm_request> llm_requests;
  std::vector<outbox_item> sent;
  std::vector<conversation_key> idle;
  std::vector<memory_entry> stored_memory;
  bool llm_fails = false;
};

storage_actor::behavior_type fake_storage(storage_actor::pointer self,
                                          std::shared_ptr<recorder> rec) {
  return {
    [=](atom::load, const conversation_key&, int32_t limit) {
      auto& m = rec->stored_memory;
      auto from = m.size() > static_cast<size_t>(limit) ? m.size() - limit : 0;
      return std::vector<memory_entry>(m.begin() + from, m.end());
    },
    [=](atom::complete, const completion& c, const std::string& channel) {
      rec->completions.push_back(c);
      completion_result r;
      r.applied = true;
      r.reply = c.path == answer_path::command ? "ran " + c.command_line : c.reply;
      if (c.path != answer_path::ignored)
        r.outbox.push_back({int64_t(rec->completions.size()), c.message.tenant,
                            c.message.chat, channel, c.message.sender, r.reply, 0});
      return r;
    },
    [=](atom::pending, const std::vector<std::string>&) {
      return std::vector<inbound_message>{};
    },
    [=](atom::pending, atom::send, const std::vector<std::string>&) {
      return std::vector<outbox_item>{};
    },
  };
}

llm_actor::behavior_type fake_llm(llm_actor::pointer self,
                                  std::shared_ptr<recorder> rec) {
  return {
    [=](atom::generate, const llm_request& req) -> caf::result<std::string> {
      rec->llm_requests.push_back(req);
      if (rec->llm_fails)
        return make_error(errc::llm_failed, "HTTP 500");
      return std::string("**sure**");
    },
  };
}

sender_actor::behavior_type fake_sender(sender_actor::pointer self,
                                        std::shared_ptr<recorder> rec) {
  return {
    [=](atom::send, const outbox_item& item) { rec->sent.push_back(item); },
    [=](atom::retry, const std::string&) {},
    [=](atom::recover) {},
    [=](atom::mark_read, const std::string&, const std::string&) {},
  };
}

router_actor::behavior_type fake_router(router_actor::pointer self,
                                        std::shared_ptr<recorder> rec) {
  return {
    [=](atom::route, const inbound_message&) {},
    [=](atom::idle, const conversation_key& key) { rec->idle.push_back(key); },
  };
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<recorder> rec = std::make_shared<recorder>();
  session_deps deps;
  router_actor router;
  tenant_config tenant;

  fixture() {
    deps.storage.push_back(sys.spawn(fake_storage, rec));
    deps.llm.push_back(sys.spawn(fake_llm, rec));
    deps.senders.push_back(sys.spawn(fake_sender, rec));
    router = sys.spawn(fake_router, rec);
    tenant.id = "ops";
    tenant.kind = "personal";
    tenant.owner = "316";
    tenant.system_prompt = "be brief";
    tenant.memory = 4;
  }

  session_actor start() {
    auto s = sys.spawn(session, conversation_key{"ops", "316"}, tenant, deps,
                       router);
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

CAF_TEST(a command is completed through storage without asking the llm) {
  auto s = start();
  self->send(s, atom::route_v, msg("taken"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->completions.size(), 1u);
  CAF_CHECK(rec->completions[0].path == answer_path::command);
  CAF_CHECK_EQUAL(rec->completions[0].command_line, "taken");
  CAF_CHECK(rec->llm_requests.empty());
  CAF_REQUIRE_EQUAL(rec->sent.size(), 1u);
  CAF_CHECK_EQUAL(rec->sent[0].body, "ran taken");
  CAF_CHECK_EQUAL(rec->sent[0].channel, "meta");
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

CAF_TEST(an idle session asks the router to passivate it) {
  auto s = start();
  self->send(s, atom::route_v, msg("taken"));
  sched.run();
  CAF_CHECK(rec->idle.empty());
  trigger_timeouts();
  sched.run();
  CAF_REQUIRE_EQUAL(rec->idle.size(), 1u);
  CAF_CHECK_EQUAL(rec->idle[0].chat, "316");
}

CAF_TEST_FIXTURE_SCOPE_END()
