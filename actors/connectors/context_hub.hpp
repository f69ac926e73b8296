#pragma once

#include "actors/interfaces.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <string>

namespace parley {

struct context_hub_state {
  context_hub_state() = default;
  std::string root;  ///< the hub's folder, canonical
  static inline const char* name = "context-hub";
};

/// The markdown context hub under `dir`: created on first start with its six
/// folders and a short README; answers the agent's context tools
/// (context_abstracts, context_overview, context_read, context_search,
/// save_idea) with text for the model. Paths stay strictly inside the hub
/// (no "..", no absolute paths, no symlink out); archive/ is read only when
/// asked for by name. Spawn detached: it reads files.
context_hub_actor::behavior_type context_hub(context_hub_actor::stateful_pointer<context_hub_state> self,
                                             std::string dir, size_t abstracts_budget);

/// identity/soul.md of the hub under `dir`, or "" (what is put before the
/// owner tenant's system prompt); at most 8 KB.
std::string read_soul(const std::string& dir);

} // namespace parley
