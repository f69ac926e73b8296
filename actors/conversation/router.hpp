#pragma once

#include "actors/interfaces.hpp"
#include "actors/conversation/session.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <list>
#include <map>
#include <memory>

namespace parley {

struct router_state {
  router_state() = default;
  using key_type = std::pair<std::string, std::string>;
  /// Each live session, with its place in `recent`.
  std::map<key_type, std::pair<session_actor, std::list<key_type>::iterator>> sessions;
  std::list<key_type> recent;  ///< the most recently routed to first
  /// Sessions told to stop, with the messages that arrived since; a new
  /// session starts only after the old one is gone, so two never overlap.
  std::map<key_type, std::pair<session_actor, std::vector<inbound_message>>>
    draining;
  static inline const char* name = "router";
};

/// Spawns one session per (tenant, chat) on demand and passivates idle ones.
/// A session that crashes is replaced, and its committed events are routed
/// again from storage.
router_actor::behavior_type
router(router_actor::stateful_pointer<router_state> self,
       std::shared_ptr<const config> cfg, session_deps deps,
       std::vector<std::string> providers);

} // namespace parley
