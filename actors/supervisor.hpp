#pragma once

// The SUPERVISOR of the worker pools: every storage worker, LLM worker,
// sender and the event writer sits behind a supervised slot, a stable handle
// that outlives its worker. Others keep the slot's handle; a crashed worker is
// replaced behind it after a back-off, and a worker that keeps crashing
// escalates to the application's watcher.

#include <caf/actor.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <string>

namespace parley {

/// How a slot restarts its worker.
struct restart_policy {
  std::chrono::milliseconds first_delay{100};  ///< doubles per crash
  std::chrono::milliseconds max_delay{10000};
  size_t max_restarts = 5;  ///< within `window`; one more crash escalates
  std::chrono::seconds window{60};
};

/// Spawns the worker, monitored by the slot (`self`). `restarts` is 0 for the
/// first worker, so that a replacement can recover what its predecessor held.
using worker_factory =
  std::function<caf::actor(caf::event_based_actor* self, size_t restarts)>;

struct supervised_slot_state {
  supervised_slot_state() = default;
  caf::actor worker;  ///< null while a replacement waits for its back-off
  size_t restarts = 0;
  std::deque<caf::actor_clock::time_point> crashes;  ///< within the window
  static inline const char* name = "supervisor";
};

/// A SUPERVISED SLOT: forwards every message to its worker, which answers the
/// original sender directly. While the worker is being replaced, messages
/// wait in the slot's mailbox. The slot exits with the worker's reason when
/// crashes exceed the policy (escalation), and stops its worker when it is
/// stopped itself.
caf::behavior supervised_slot(caf::stateful_actor<supervised_slot_state>* self,
                              std::string what, worker_factory make,
                              restart_policy policy);

/// Spawns `fn(xs...)` detached (workers block) and monitored by the slot.
template <class F, class... Ts>
caf::actor spawn_detached_worker(caf::event_based_actor* slot, F fn,
                                 Ts&&... xs) {
  return caf::actor_cast<caf::actor>(
    slot->spawn<caf::detached + caf::monitored>(fn, std::forward<Ts>(xs)...));
}

/// A factory that starts the same detached worker on every restart.
template <class F, class... Ts>
worker_factory detached_worker(F fn, Ts... xs) {
  return [=](caf::event_based_actor* slot, size_t) {
    return spawn_detached_worker(slot, fn, xs...);
  };
}

/// Spawns a slot and returns it under the worker's typed interface.
template <class Handle>
Handle spawn_supervised(caf::actor_system& sys, std::string what,
                        worker_factory make, restart_policy policy = {}) {
  return caf::actor_cast<Handle>(
    sys.spawn(supervised_slot, std::move(what), std::move(make), policy));
}

} // namespace parley
