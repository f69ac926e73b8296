#pragma once

#include "actors/interfaces.hpp"
#include "net/event_loop.hpp"
#include "storage/pg_async.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace parley {

struct outbox_keeper_state {
  outbox_keeper_state() = default;
  /// Declared before the connection, which closes on it.
  std::shared_ptr<net::event_loop> loop;
  std::unique_ptr<storage::async_connection> db;
  uint64_t asked = 0;  ///< requests numbered, to match the loop's answers
  std::map<uint64_t, caf::typed_response_promise<std::vector<outbox_claim>>> steps;
  std::map<uint64_t, caf::typed_response_promise<std::vector<outbox_item>>> reads;
  static inline const char* name = "outbox-keeper";
};

/// A sender's database work without a thread of its own: its statements go
/// on an asynchronous connection driven by `loop` (shared by every keeper;
/// null: a loop of its own). A failure is an error reply
/// (storage_unavailable), after which the sender tries the same step again.
/// Spawn it as a normal (cooperative) actor, linked to its sender.
outbox_keeper_actor::behavior_type
outbox_keeper(outbox_keeper_actor::stateful_pointer<outbox_keeper_state> self,
              std::string conninfo, std::shared_ptr<net::event_loop> loop);

} // namespace parley
