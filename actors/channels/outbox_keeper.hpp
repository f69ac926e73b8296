#pragma once

#include "actors/interfaces.hpp"
#include "actors/storage_worker.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <string>

namespace parley {

struct outbox_keeper_state {
  outbox_keeper_state() = default;
  std::unique_ptr<store_handle> db;
  static inline const char* name = "outbox-keeper";
};

/// Spawn detached and linked to its sender: every handler blocks on the
/// database; a failure is an error reply (storage_unavailable), after which
/// the sender tries the same step again.
outbox_keeper_actor::behavior_type
outbox_keeper(outbox_keeper_actor::stateful_pointer<outbox_keeper_state> self,
              std::string conninfo);

} // namespace parley
