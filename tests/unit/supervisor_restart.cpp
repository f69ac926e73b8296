#define CAF_SUITE supervisor
#include "actors/supervisor.hpp"
#include "actors/type_ids.hpp"

#define FAIL CAF_FAIL
#include <caf/test/dsl.hpp>

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/sec.hpp>

using namespace parley;

namespace {

/// A worker that doubles numbers and crashes on a negative one.
caf::behavior doubler(caf::event_based_actor* self) {
  return {
    [=](int32_t x) -> caf::result<int32_t> {
      if (x < 0) {
        self->quit(caf::sec::runtime_error);
        return caf::sec::runtime_error;
      }
      return x * 2;
    },
  };
}

/// Records how its watched actors ended.
struct obituaries {
  std::vector<caf::error> reasons;
};

caf::behavior observer(caf::event_based_actor* self,
                       std::shared_ptr<obituaries> seen) {
  self->set_down_handler(
    [=](const caf::down_msg& down) { seen->reasons.push_back(down.reason); });
  return {[=](caf::actor who) { self->monitor(who); }};
}

struct fixture : test_coordinator_fixture<> {
  std::vector<caf::actor> workers;  ///< every worker the factory started
  std::vector<size_t> restarts;     ///< the `restarts` each was started with
  std::shared_ptr<obituaries> seen = std::make_shared<obituaries>();
  caf::actor watcher = sys.spawn(observer, seen);
  restart_policy policy;

  caf::actor start_slot() {
    policy.first_delay = std::chrono::milliseconds(100);
    auto slot = sys.spawn(supervised_slot, std::string("doubler"),
                          worker_factory([this](caf::event_based_actor* self,
                                                size_t n) {
                            auto w = self->spawn<caf::monitored>(doubler);
                            workers.push_back(w);
                            restarts.push_back(n);
                            return w;
                          }),
                          policy);
    self->send(watcher, slot);
    run();
    return slot;
  }

  /// Asks the slot to double `x`; the answer, or -1 for an error.
  int32_t ask(const caf::actor& slot, int32_t x) {
    int32_t answer = -1;
    auto rh = self->request(slot, caf::infinite, x);
    run();
    rh.receive([&](int32_t y) { answer = y; }, [](caf::error&) {});
    return answer;
  }

  /// Crashes the worker; the restart waits for `sched.trigger_timeout()`.
  void crash(const caf::actor& slot) {
    self->send(slot, int32_t{-1});
    sched.run();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(supervisor_tests, fixture)

CAF_TEST(the slot forwards requests and the worker answers them) {
  auto slot = start_slot();
  auto answer = ask(slot, 21);
  CAF_CHECK_EQUAL(answer, 42);
  auto started = workers.size();
  CAF_CHECK_EQUAL(started, 1u);
}

CAF_TEST(a crashed worker is replaced after a back-off and requests sent meanwhile are answered by the replacement) {
  auto slot = start_slot();
  crash(slot);
  auto before_backoff = workers.size();
  CAF_CHECK_EQUAL(before_backoff, 1u); // not yet: the back-off runs first
  auto rh = self->request(slot, caf::infinite, int32_t{5});
  sched.run();
  sched.trigger_timeout();
  sched.run();
  int32_t answer = -1;
  rh.receive([&](int32_t y) { answer = y; },
             [](caf::error& err) { CAF_FAIL("unexpected error: " << err); });
  CAF_CHECK_EQUAL(answer, 10);
  auto started = workers.size();
  CAF_REQUIRE_EQUAL(started, 2u);
  auto second = restarts[1];
  CAF_CHECK_EQUAL(second, 1u); // the replacement knows it is one
  auto slot_deaths = seen->reasons.size();
  CAF_CHECK_EQUAL(slot_deaths, 0u);
}

CAF_TEST(a worker that keeps crashing escalates: the slot exits with the crash reason) {
  policy.max_restarts = 2;
  auto slot = start_slot();
  for (int i = 0; i < 2; ++i) {
    crash(slot);
    sched.trigger_timeout();
    run();
  }
  auto started = workers.size();
  CAF_CHECK_EQUAL(started, 3u);
  auto before = seen->reasons.size();
  CAF_CHECK_EQUAL(before, 0u);
  crash(slot);
  CAF_REQUIRE_EQUAL(seen->reasons.size(), 1u);
  auto reason = seen->reasons.front();
  CAF_CHECK_EQUAL(reason, caf::error{caf::sec::runtime_error});
}

CAF_TEST(crashes further apart than the window never escalate) {
  policy.max_restarts = 1;
  policy.window = std::chrono::seconds(1);
  auto slot = start_slot();
  for (int i = 0; i < 4; ++i) {
    crash(slot);
    sched.trigger_timeout();
    run();
    sched.clock().current_time += std::chrono::seconds(2);
  }
  auto deaths = seen->reasons.size();
  CAF_CHECK_EQUAL(deaths, 0u);
  auto answer = ask(slot, 4);
  CAF_CHECK_EQUAL(answer, 8);
}

CAF_TEST(stopping the slot stops its worker) {
  auto slot = start_slot();
  self->send(watcher, workers.front());
  run();
  self->send_exit(slot, caf::exit_reason::user_shutdown);
  run();
  auto deaths = seen->reasons.size();
  CAF_CHECK_EQUAL(deaths, 2u);
}

CAF_TEST_FIXTURE_SCOPE_END()
