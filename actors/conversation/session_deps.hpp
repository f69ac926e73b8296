#pragma once

// What a session (and the agent loop it starts) works with: the pools of
// storage, LLM and sender workers, the gate, the scorer, the connectors.

#include "actors/channels/ingest.hpp"
#include "actors/connectors/connector.hpp"
#include "actors/interfaces.hpp"
#include "protocol/config.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

namespace parley {

/// The actors a session talks to. Pools are indexed by a hash of the chat, so
/// that one conversation always uses the same worker (order is kept).
struct session_deps {
  std::vector<storage_actor> storage;
  /// Completions committed together; null: every completion goes to its
  /// storage worker.
  completion_writer_actor completer;
  std::vector<llm_actor> llm;  ///< empty: no LLM configured
  std::vector<sender_actor> senders;
  policy_gate_actor gate;      ///< null: actions are refused
  scorer_actor scorer;         ///< null: groups are heard, never answered
  /// Live data for `agenda`, `inbox`, ...; null: no connectors at all.
  std::shared_ptr<const connector_directory> connectors;
  brief_actor composer;        ///< `brief`; null: answered as not available
  booking_desk_actor bookings; ///< a business's booking tools; null: refused
  /// The owner's context hub (tools, identity/soul.md); null: none.
  context_hub_actor context_hub;
  /// Voice notes and pictures: fetched and transcribed; null: not read.
  media_actor media;
  bool vision = false;  ///< pictures go to the model (llm.vision)
  /// The tenants in force: a session reads its tenant again for every
  /// message. Null: the tenant it was spawned with stays.
  std::shared_ptr<const tenant_directory> tenants;
  std::chrono::milliseconds connector_timeout{10000};
  std::chrono::milliseconds brief_bound{60000};  ///< gather and compose
  std::chrono::milliseconds llm_timeout{30000};
  int max_tool_rounds = 5;     ///< model turns with tools before a plain answer
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

/// How long the gate may take: it may run a command to its timeout first.
inline std::chrono::milliseconds gate_bound(const tenant_config& t) {
  return std::chrono::milliseconds(t.shell.timeout_ms) + std::chrono::seconds(30);
}

} // namespace parley
