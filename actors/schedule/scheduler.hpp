#pragma once

#include "actors/interfaces.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

namespace parley {

struct scheduler_deps {
  storage_actor storage;
  brief_actor composer;
  std::vector<sender_actor> senders;
  /// The wall clock in ms; tests may pass their own.
  std::function<int64_t()> now;
};

struct scheduler_state {
  scheduler_state() = default;
  std::map<std::string, std::string> last_date;  ///< tenant -> date settled
  std::set<std::string> firing;                  ///< tenants composing now
  std::map<std::string, int64_t> announced;      ///< tenant -> next firing logged
  static inline const char* name = "scheduler";
};

/// Fires each tenant's morning brief at `brief_at` in its zone, once per
/// local date across restarts: the day is claimed in storage before the
/// gather, and the brief is queued with its outbox row in one transaction.
/// Wakes at the next firing, and at least every minute (a clock jump or a
/// failed attempt is looked at again soon).
scheduler_actor::behavior_type
scheduler(scheduler_actor::stateful_pointer<scheduler_state> self,
          std::shared_ptr<const config> cfg, scheduler_deps deps);

} // namespace parley
