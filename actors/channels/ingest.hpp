#pragma once

#include "actors/interfaces.hpp"
#include "net/connection_limits.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <atomic>
#include <memory>
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
