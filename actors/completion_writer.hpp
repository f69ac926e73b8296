#pragma once

#include "actors/channels/ingest.hpp"
#include "actors/interfaces.hpp"
#include "net/event_loop.hpp"
#include "storage/group_commit.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace parley {

/// The connection and the event loop that drives it. The loop is declared
/// first so that it outlives the connection, which closes on it.
struct completion_line {
  explicit completion_line(std::string conninfo) : db(loop.context(), std::move(conninfo)) {}
  net::event_loop loop;
  storage::async_connection db;
};

struct completion_writer_state {
  completion_writer_state() = default;
  struct waiting {
    storage::completion_job job;
    caf::typed_response_promise<completion_result> promise;
  };
  std::unique_ptr<completion_line> line;
  std::vector<waiting> gathering;  ///< arrived while a batch was in flight
  /// The batch in flight, by number, with the sessions waiting for it.
  std::map<uint64_t, std::vector<caf::typed_response_promise<completion_result>>> flights;
  uint64_t batches = 0;
  std::shared_ptr<ingest_metrics> metrics;
  static inline const char* name = "completion-writer";
};

/// Group commit for completions: while one batch is being committed, the
/// completions that arrive wait and go together in the next transaction (at
/// most `max_batch`), so a busy service pays one commit for many messages.
/// Each session is answered when its own completion is durable; a completion
/// that fails is an error for its session alone (it retries), and one that
/// is lost with the connection may have been committed: its retry writes
/// nothing and gets the rows still to send.
completion_writer_actor::behavior_type
completion_writer(completion_writer_actor::stateful_pointer<completion_writer_state> self,
                  std::string conninfo, std::shared_ptr<ingest_metrics> metrics,
                  size_t max_batch = 256);

} // namespace parley
