#pragma once

#include "actors/interfaces.hpp"
#include "protocol/config.hpp"
#include "protocol/cron.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace parley {

struct cron_state {
  cron_state() = default;
  std::map<std::string, cron::schedule> parsed;  ///< schedule -> its expression
  std::map<std::string, int64_t> next;  ///< schedule -> its next firing (ms)
  bool started = false;                 ///< every schedule's last firing is known
  static inline const char* name = "cron-schedules";
};

/// Fires each schedule at its cron times in its zone: the firing is stored
/// as an event (its key the firing's instant, so it is stored once, also
/// across restarts) and runs its workflow. At start a schedule continues
/// after its last recorded firing; one missed while parley was down runs
/// once (the latest) when the schedule says `catch_up`, and is skipped
/// otherwise. Wakes at the next firing, and at least every minute.
cron_actor::behavior_type cron_schedules(cron_actor::stateful_pointer<cron_state> self,
                                         std::shared_ptr<const config> cfg,
                                         workflow_runner_actor runner,
                                         std::function<int64_t()> now);

} // namespace parley
