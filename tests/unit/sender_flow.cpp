#define CAF_SUITE sender
#include "actors/channels/sender.hpp"

#include "actors/errors.hpp"

#define FAIL CAF_FAIL
#include <caf/test/dsl.hpp>

#include <caf/typed_event_based_actor.hpp>

#include <nlohmann/json.hpp>

#include <set>

using namespace parley;

namespace {

/// One step as the keeper saw it.
struct step_seen {
  std::vector<outbox_outcome> outcomes;
  std::vector<int64_t> to_send;
};

/// What the stand-ins for the outbox keeper and the HTTP transport saw.
struct recorder {
  std::vector<step_seen> steps;
  int failing_steps = 0;        ///< this many steps fail first (database down)
  std::set<int64_t> withdrawn;  ///< rows no longer pending: never claimed
  /// Requests under way, with the way to answer them.
  std::vector<std::pair<net::client_request, std::function<void(net::client_response)>>>
    requests;
  size_t answered = 0;  ///< requests[0 .. answered) have had their answer

  /// Every outcome recorded so far, in order.
  std::vector<outbox_outcome> outcomes() const {
    std::vector<outbox_outcome> out;
    for (auto& s : steps)
      out.insert(out.end(), s.outcomes.begin(), s.outcomes.end());
    return out;
  }
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

outbox_keeper_actor::behavior_type fake_keeper(outbox_keeper_actor::pointer,
                                               std::shared_ptr<recorder> rec) {
  return {
    [=](atom::send, const std::vector<outbox_outcome>& outcomes,
        const std::vector<int64_t>& to_send) -> caf::result<std::vector<outbox_claim>> {
      if (rec->failing_steps > 0) {
        --rec->failing_steps;
        return make_error(errc::storage_unavailable, "recording sends: server closed");
      }
      rec->steps.push_back({outcomes, to_send});
      std::vector<outbox_claim> claims;
      for (auto id : to_send)
        if (!rec->withdrawn.count(id))
          claims.push_back({id, now_ms() - 60'000});  // wrote a minute ago
      return claims;
    },
    [=](atom::pending, const std::vector<std::string>&) {
      return std::vector<outbox_item>{};
    },
    // The real keeper's answers from its event loop; this one answers at once.
    [=](atom::done, uint64_t, std::vector<outbox_claim>&) {},
    [=](atom::done, uint64_t, std::vector<outbox_item>&) {},
    [=](atom::done, uint64_t, caf::error&) {},
  };
}

/// Meta's answer to a send.
net::client_response graph_ok(int n) {
  return {200, R"({"messages": [{"id": "wamid.sent)" + std::to_string(n) + R"("}]})", "",
          false, false};
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<recorder> rec = std::make_shared<recorder>();
  std::shared_ptr<const config> cfg = std::make_shared<const config>(parse_config(
    R"({"send_backoff_ms": 100,
        "tenants": [{"id": "shop", "kind": "business", "phone_number_id": "555",
                     "messages_per_second": 1000}]})",
    [](const std::string&) { return std::nullopt; }));
  sender_actor sender_;

  fixture() {
    sender_options opts;
    opts.keeper = sys.spawn(fake_keeper, rec);
    opts.transport = [r = rec](net::client_request req,
                               std::function<void(net::client_response)> done) {
      r->requests.emplace_back(std::move(req), std::move(done));
    };
    sender_ = sys.spawn(sender, cfg, std::string(), opts);
    sched.run();
  }

  ~fixture() {
    // Unanswered requests hold the sender's handle: let them go, then stop it.
    rec->requests.clear();
    self->send_exit(sender_, caf::exit_reason::user_shutdown);
    sched.run();
  }

  outbox_item row(int64_t id, const std::string& chat, const std::string& body) {
    return outbox_item::to(id, "shop", chat, "meta", chat, body);
  }

  /// Answers the request `i` with `res`, and lets everything run.
  void answer(size_t i, net::client_response res) {
    rec->requests.at(i).second(std::move(res));
    sched.run();
  }

  std::string body_of(size_t i) {
    return nlohmann::json::parse(rec->requests.at(i).first.body)["text"]["body"];
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(sender_tests, fixture)

CAF_TEST(replies for many chats go out together in few database steps) {
  for (int i = 1; i <= 5; ++i)
    self->send(sender_, atom::send_v, row(i, "3160000000" + std::to_string(i), "hi"));
  sched.run();
  // All five requests are under way before any answer: none waits for
  // another chat's send.
  CAF_REQUIRE_EQUAL(rec->requests.size(), 5u);
  // The first row goes at once; the four that arrived meanwhile share the
  // next step (one transaction marks them all in flight).
  CAF_CHECK(rec->steps.size() <= 2u);
  size_t marked = 0;
  for (auto& s : rec->steps)
    marked += s.to_send.size();
  CAF_CHECK_EQUAL(marked, 5u);
  auto steps_before = rec->steps.size();
  // Their answers arrive together: their outcomes are recorded together.
  for (size_t i = 0; i < 5; ++i)
    rec->requests[i].second(graph_ok(static_cast<int>(i)));
  sched.run();
  auto outcomes = rec->outcomes();
  CAF_REQUIRE_EQUAL(outcomes.size(), 5u);
  for (auto& o : outcomes) {
    CAF_CHECK_EQUAL(o.state, "sent");
    CAF_CHECK_EQUAL(o.attempts, 1);
  }
  CAF_CHECK(rec->steps.size() - steps_before <= 2u);
  CAF_CHECK_EQUAL(outcomes[0].provider_message_id, "wamid.sent0");
}

CAF_TEST(a chats replies go out one at a time and in order) {
  self->send(sender_, atom::send_v, row(1, "31611", "first"));
  self->send(sender_, atom::send_v, row(2, "31611", "second"));
  self->send(sender_, atom::send_v, row(3, "31611", "third"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->requests.size(), 1u);
  CAF_CHECK_EQUAL(body_of(0), "first");
  answer(0, graph_ok(1));
  CAF_REQUIRE_EQUAL(rec->requests.size(), 2u);
  CAF_CHECK_EQUAL(body_of(1), "second");
  answer(1, graph_ok(2));
  CAF_REQUIRE_EQUAL(rec->requests.size(), 3u);
  CAF_CHECK_EQUAL(body_of(2), "third");
}

CAF_TEST(nothing is sent until the row is marked in flight) {
  rec->failing_steps = 2;  // the database is down for two attempts
  self->send(sender_, atom::send_v, row(1, "31611", "hi"));
  sched.run();
  CAF_CHECK(rec->requests.empty());
  sched.trigger_timeouts();
  sched.run();
  CAF_CHECK(rec->requests.empty());
  sched.trigger_timeouts();
  sched.run();
  // The database is back: the row is marked, then sent, once.
  CAF_REQUIRE_EQUAL(rec->steps.size(), 1u);
  CAF_CHECK_EQUAL(rec->steps[0].to_send.size(), 1u);
  CAF_CHECK_EQUAL(rec->requests.size(), 1u);
  // An outcome whose step fails is recorded in the next one, not lost.
  rec->failing_steps = 1;
  answer(0, graph_ok(1));
  CAF_CHECK(rec->outcomes().empty());
  sched.trigger_timeouts();
  sched.run();
  auto outcomes = rec->outcomes();
  CAF_REQUIRE_EQUAL(outcomes.size(), 1u);
  CAF_CHECK_EQUAL(outcomes[0].state, "sent");
}

CAF_TEST(a row that is no longer pending is dropped and the next one goes) {
  rec->withdrawn.insert(1);  // a reminder withdrawn after it was queued
  self->send(sender_, atom::send_v, row(1, "31611", "withdrawn"));
  self->send(sender_, atom::send_v, row(2, "31611", "next"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->requests.size(), 1u);
  CAF_CHECK_EQUAL(body_of(0), "next");
}

CAF_TEST(a 429 is retried after the back-off and then recorded as sent) {
  self->send(sender_, atom::send_v, row(1, "31611", "hi"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->requests.size(), 1u);
  answer(0, {429, R"({"error": {"code": 4, "message": "too many"}})", "", false, false});
  CAF_CHECK_EQUAL(rec->requests.size(), 1u);  // not before the back-off
  sched.trigger_timeouts();
  sched.run();
  CAF_REQUIRE_EQUAL(rec->requests.size(), 2u);
  answer(1, graph_ok(1));
  auto outcomes = rec->outcomes();
  CAF_REQUIRE_EQUAL(outcomes.size(), 2u);
  CAF_CHECK_EQUAL(outcomes[0].state, "retrying");
  CAF_CHECK_EQUAL(outcomes[1].state, "sent");
  CAF_CHECK_EQUAL(outcomes[1].attempts, 2);
}

CAF_TEST(a send that went out without an answer waits and is never recorded as failed) {
  self->send(sender_, atom::send_v, row(1, "31611", "hi"));
  self->send(sender_, atom::send_v, row(2, "31611", "after"));
  sched.run();
  CAF_REQUIRE_EQUAL(rec->requests.size(), 1u);
  answer(0, {0, "", "no answer before the timeout", true, true});
  // In doubt: nothing recorded, the chat waits for Meta's status webhook.
  CAF_CHECK(rec->outcomes().empty());
  CAF_CHECK_EQUAL(rec->requests.size(), 1u);
  // No status proved it arrived (the row is still claimable): sent again,
  // and only then the next row.
  sched.trigger_timeouts();
  sched.run();
  CAF_REQUIRE_EQUAL(rec->requests.size(), 2u);
  CAF_CHECK_EQUAL(body_of(1), "hi");
}

CAF_TEST_FIXTURE_SCOPE_END()
