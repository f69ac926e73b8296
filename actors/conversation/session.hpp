#pragma once

#include "actors/conversation/session_deps.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <vector>

namespace parley {

struct session_state {
  session_state() = default;
  conversation_key key;
  std::shared_ptr<const tenant_config> tenant;  ///< shared: one copy per tenant
  std::shared_ptr<const session_deps> deps;     ///< shared by every session
  std::deque<memory_entry> memory;    ///< the newest tenant.memory entries
  std::deque<inbound_message> queue;  ///< waiting, in arrival order
  bool loaded = false;                ///< memory restored from storage
  int64_t memory_read_us = 0;         ///< that read, for the next run's trace
  bool busy = false;                  ///< handling queue.front()
  bool stopping = false;
  std::vector<int64_t> reply_ms;      ///< groups: when the bot last replied (rate limit)
  static inline const char* name = "session";
};

/// One conversation: answers its messages one at a time, in order — a
/// command, the LLM, or a deterministic fallback — and keeps the memory.
session_actor::behavior_type
session(session_actor::stateful_pointer<session_state> self,
        conversation_key key, std::shared_ptr<const tenant_config> tenant,
        std::shared_ptr<const session_deps> deps, router_actor router);

} // namespace parley
