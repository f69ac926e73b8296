#pragma once

#include "actors/interfaces.hpp"
#include "net/connection_limits.hpp"

#include <caf/typed_event_based_actor.hpp>

#include "protocol/histogram.hpp"

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace parley {

/// Counters the HTTP edge shows on /metrics and /health.
struct ingest_metrics {
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> duplicates{0};
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> completed{0};  ///< messages done with (sessions count them)
  std::atomic<uint64_t> completion_batches{0};  ///< group commits of completions
  std::atomic<uint64_t> completions_batched{0}; ///< completions in them
  std::atomic<bool> storage_ok{true};
  /// What the HTTP edge refused or cut short.
  std::shared_ptr<net::edge_counters> edge = std::make_shared<net::edge_counters>();
  /// From a webhook's arrival to its acknowledgement (stored).
  latency_histogram ack;
  /// From a message's commit to its answer's (by path: command, llm, ...).
  std::array<latency_histogram, 6> reply;
  latency_histogram llm;  ///< one call to the model
  latency_histogram tool; ///< one tool call of the agent loop
  /// One request to the Graph API or Evolution (shared with the senders).
  std::shared_ptr<latency_histogram> send = std::make_shared<latency_histogram>();
  /// Per tenant: messages done with, replies, LLM failures (answered by the
  /// fallback), approvals asked.
  void count(const std::string& tenant, const completion& c);
  std::string tenant_text() const;

private:
  struct per_tenant {
    uint64_t messages = 0, replies = 0, failures = 0, approvals = 0;
  };
  mutable std::mutex tenants_mutex_;
  std::map<std::string, per_tenant> tenants_;
};

struct ingest_state {
  ingest_state() = default;
  std::vector<webhook_batch> waiting;  ///< arrived while a commit was in flight
  bool committing = false;
  static inline const char* name = "ingest";
};

/// Group commit: while one batch is being committed, arrivals wait and are
/// committed together in the next transaction, so throughput is not bounded
/// by one fsync per request.
ingest_actor::behavior_type
ingest(ingest_actor::stateful_pointer<ingest_state> self,
       event_writer_actor writer, router_actor router,
       std::shared_ptr<ingest_metrics> metrics);

} // namespace parley
