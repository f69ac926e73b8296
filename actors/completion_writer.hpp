#pragma once

#include "actors/channels/ingest.hpp"
#include "actors/interfaces.hpp"
#include "net/event_loop.hpp"
#include "storage/group_commit.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace parley {

/// The connections and the one event loop that drives them all. The loop is
/// declared first so that it outlives the connections, which close on it.
struct completion_line {
  completion_line(const std::string& conninfo, size_t connections) {
    for (size_t i = 0; i < std::max<size_t>(1, connections); ++i)
      db.push_back(std::make_unique<storage::async_connection>(loop.context(), conninfo));
  }
  net::event_loop loop;
  std::vector<std::unique_ptr<storage::async_connection>> db;
};

struct completion_writer_state {
  completion_writer_state() = default;
  struct waiting {
    storage::completion_job job;
    caf::typed_response_promise<completion_result> promise;
  };
  std::unique_ptr<completion_line> line;
  std::vector<waiting> gathering;  ///< arrived while every connection was busy
  /// The batches in flight, by number, with the sessions waiting for them.
  std::map<uint64_t, std::vector<caf::typed_response_promise<completion_result>>> flights;
  std::vector<uint64_t> busy;  ///< per connection: its batch in flight, or 0
  uint64_t batches = 0;
  std::shared_ptr<ingest_metrics> metrics;
  static inline const char* name = "completion-writer";
};

/// Group commit for completions: each of `connections` carries one batch at
/// a time; while they are all busy, the completions that arrive wait and go
/// together in the next free connection's transaction (at most `max_batch`),
/// so a busy service pays one commit for many messages, and PostgreSQL works
/// on as many batches at once as there are connections.
/// Each session is answered when its own completion is durable; a completion
/// that fails is an error for its session alone (it retries), and one that
/// is lost with the connection may have been committed: its retry writes
/// nothing and gets the rows still to send.
completion_writer_actor::behavior_type
completion_writer(completion_writer_actor::stateful_pointer<completion_writer_state> self,
                  std::string conninfo, std::shared_ptr<ingest_metrics> metrics,
                  size_t connections = 2, size_t max_batch = 256);

} // namespace parley
