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

struct scheduler_deps {
  workflow_runner_actor runner;  ///< runs the schedules' workflows; null without
  morning_brief_actor briefs;    ///< sends a tenant's brief for a date
  /// The wall clock in ms; tests may pass their own.
  std::function<int64_t()> now;
};

/// One timed thing: a configured schedule or a tenant's morning brief.
struct timer {
  enum kind_t { schedule, brief } kind = schedule;
  std::string name;            ///< the schedule's name, or the tenant's id
  std::string zone;
  cron::schedule when;
  std::string workflow;        ///< what a schedule runs
  std::string brief_at;        ///< a brief's local time, as configured
  int64_t firing = 0;          ///< the next firing (its instant names it)
  int64_t due = 0;             ///< when to try it: the firing, or a retry
  bool in_flight = false;
};

struct scheduler_state {
  scheduler_state() = default;
  std::map<std::string, timer> timers;  ///< "schedule <name>" / "brief <tenant>"
  static inline const char* name = "scheduler";
};

/// Fires every schedule at its cron times in its zone — the firing is
/// stored as an event (keyed by its instant, so once, also across restarts)
/// that runs its workflow — and each tenant's morning brief every day at
/// `brief_at` in the tenant's zone (the day claimed in storage, so once).
/// At start a schedule continues after its last recorded firing; one missed
/// while parley was down runs once (the latest) when it says `catch_up`; a
/// brief missed runs until `brief.catch_up_until`. A firing that cannot be
/// recorded is tried again a minute later. Tenants added or changed while
/// running get their brief's timer at the next look. Wakes at the next
/// firing, and at least every minute (a clock step is noticed).
scheduler_actor::behavior_type
scheduler(scheduler_actor::stateful_pointer<scheduler_state> self,
          std::shared_ptr<const config> cfg, scheduler_deps deps);

} // namespace parley
