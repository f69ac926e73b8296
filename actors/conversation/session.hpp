#pragma once

#include "actors/channels/ingest.hpp"
#include "actors/connectors/connector.hpp"
#include "actors/interfaces.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <vector>

namespace parley {

/// The actors a session talks to. Pools are indexed by a hash of the chat, so
/// that one conversation always uses the same worker (order is kept).
struct session_deps {
  std::vector<storage_actor> storage;
  std::vector<llm_actor> llm;  ///< empty: no LLM configured
  std::vector<sender_actor> senders;
  policy_gate_actor gate;      ///< null: actions are refused
  scorer_actor scorer;         ///< null: groups are heard, never answered
  /// Live data for `agenda`, `inbox`, ...; null: no connectors at all.
  std::shared_ptr<const connector_directory> connectors;
  brief_actor composer;        ///< `brief`; null: answered as not available
  std::chrono::milliseconds connector_timeout{10000};
  std::chrono::milliseconds brief_bound{60000};  ///< gather and compose
  std::chrono::milliseconds llm_timeout{30000};
  std::chrono::seconds idle{600};
  std::chrono::milliseconds storage_retry{1000};
  bool log_text = false;  ///< debug switch: log message and reply text
  std::shared_ptr<ingest_metrics> metrics;  ///< null in tests that skip /metrics

  template <class Pool>
  const typename Pool::value_type& pick(const Pool& pool,
                                        const std::string& chat) const {
    return pool[shard_of(chat, pool.size())];
  }

  /// LLM calls are independent and slow: taken in turn, a call never waits
  /// behind another chat's call on a busy worker while others are idle.
  const llm_actor& next_llm() const { return llm[(*llm_turn)++ % llm.size()]; }
  std::shared_ptr<std::atomic<size_t>> llm_turn
    = std::make_shared<std::atomic<size_t>>(0);
};

struct session_state {
  session_state() = default;
  conversation_key key;
  std::shared_ptr<const tenant_config> tenant;  ///< shared: one copy per tenant
  std::deque<memory_entry> memory;    ///< the newest tenant.memory entries
  std::deque<inbound_message> queue;  ///< waiting, in arrival order
  bool loaded = false;                ///< memory restored from storage
  bool busy = false;                  ///< handling queue.front()
  bool stopping = false;
  uint64_t generation = 0;            ///< invalidates stale idle ticks
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
