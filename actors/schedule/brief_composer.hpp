#pragma once

#include "actors/connectors/connector.hpp"
#include "actors/interfaces.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <map>
#include <memory>
#include <vector>

namespace parley {

/// What the composer reads from and writes with.
struct brief_sources {
  std::shared_ptr<const connector_directory> connectors;
  std::map<std::string, shell_actor> shells;  ///< tenant -> its shell connector
  storage_actor storage;                      ///< tasks
  std::vector<llm_actor> llm;                 ///< empty: the template only
  std::chrono::milliseconds llm_timeout{30000};
};

struct brief_composer_state {
  brief_composer_state() = default;
  size_t llm_turn = 0;
  static inline const char* name = "brief-composer";
};

/// Gathers a tenant's connectors, tasks and shell checks concurrently under
/// brief.deadline_ms (a slow one is reported unavailable, not waited for),
/// then has the LLM write the brief under hard constraints and checks it;
/// no LLM, a timeout or an invalid answer gives the template.
brief_actor::behavior_type
brief_composer(brief_actor::stateful_pointer<brief_composer_state> self,
               std::shared_ptr<const config> cfg, brief_sources sources);

} // namespace parley
