#pragma once

#include "actors/interfaces.hpp"
#include "actors/conversation/session.hpp"
#include "protocol/config.hpp"

#include <caf/actor_addr.hpp>
#include <caf/actor_clock.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <deque>
#include <list>
#include <map>
#include <memory>

namespace parley {

struct router_state {
  router_state() = default;
  /// Sessions stop with the router (they are not linked to it: a link is an
  /// entry in the router's own list, searched end to end at every session's
  /// exit, which costs more the more sessions live).
  ~router_state();
  using key_type = std::pair<std::string, std::string>;
  struct live_session {
    session_actor handle;
    std::list<key_type>::iterator place;  ///< in `recent`
    int in_hand = 0;                      ///< messages routed to it, not done
    caf::actor_clock::time_point last_active;  ///< routed to or done last
  };
  /// A session told to stop (or gone, its pending events being read again),
  /// with the messages for its chat that arrived since: a new session starts
  /// only after the old one is gone, so two never overlap.
  struct leaving_session {
    session_actor handle;  ///< none while its pending events are read again
    int in_hand = 0;
    std::vector<inbound_message> arrived;
  };
  std::map<key_type, live_session> sessions;
  std::list<key_type> recent;  ///< the most recently routed to first
  std::map<key_type, leaving_session> leaving;
  /// Whose exit a down message reports: live and leaving sessions by address.
  std::map<caf::actor_addr, key_type> by_address;
  /// Messages routed and not done yet: in sessions' queues or held here.
  int in_hand = 0;
  /// Committed messages left in storage while `in_hand` was at the limit,
  /// oldest first: only their ids are kept, whatever the backlog.
  std::deque<int64_t> waiting;
  bool reading = false;  ///< a read of waiting messages is under way
  static inline const char* name = "router";
};

/// Spawns one session per (tenant, chat) on demand and passivates idle ones
/// (one sweep every quarter of session_idle_s, not a timer per session).
/// At most max_queued_messages are in the sessions' hands; the rest wait in
/// storage and are read, in arrival order, as the sessions drain. A session
/// that crashes is replaced, and its committed events are routed again from
/// storage.
router_actor::behavior_type
router(router_actor::stateful_pointer<router_state> self,
       std::shared_ptr<const config> cfg, session_deps deps);

} // namespace parley
