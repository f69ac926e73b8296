#pragma once

#include "actors/interfaces.hpp"
#include "actors/connectors/run_process.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace parley {

struct shell_connector_state {
  shell_connector_state() = default;
  process_limits limits;
  static inline const char* name = "shell-connector";
};

/// Spawn detached: each command blocks until it ends, times out, or prints
/// more than the cap. The gate has judged the argv before it gets here.
shell_actor::behavior_type
shell_connector(shell_actor::stateful_pointer<shell_connector_state> self,
                shell_config cfg);

} // namespace parley
