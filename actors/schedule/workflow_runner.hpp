#pragma once

#include "actors/interfaces.hpp"
#include "actors/storage_worker.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace parley {

struct workflow_runner_deps {
  std::vector<llm_actor> llm;          ///< empty: llm steps use their fallback
  std::vector<sender_actor> senders;   ///< where a send step's row goes
  policy_gate_actor gate;              ///< shell steps; null: they fail
  std::string context_dir;             ///< where note steps write (its inbox/)
};

struct workflow_runner_state {
  workflow_runner_state() = default;
  std::unique_ptr<store_handle> db;
  std::set<int64_t> running;  ///< events with a step under way here
  bool tick_set = false;      ///< a look at the due events is scheduled
  static inline const char* name = "workflow-runner";
};

/// Runs each stored trigger's and firing's workflow: its steps in order,
/// each completed step recorded with its output (a send's outbox row and a
/// task's row in the same transaction, so neither is ever written twice);
/// a failing step is retried with back-off (workflow_backoff_ms, doubling)
/// up to workflow_max_attempts, then the event fails with the step and the
/// error. At start it continues every event a stopped process left open,
/// from its first unfinished step. Spawn detached: it blocks on its
/// database connection.
workflow_runner_actor::behavior_type
workflow_runner(workflow_runner_actor::stateful_pointer<workflow_runner_state> self,
                std::shared_ptr<const config> cfg, std::string conninfo,
                workflow_runner_deps deps);

} // namespace parley
