#pragma once

// An asynchronous PostgreSQL connection on an Asio io_context: libpq in
// non-blocking pipeline mode, its socket watched by the loop, so that one
// connection carries the statements of many callers without a thread of its
// own and without waiting for one answer before sending the next batch.
//
// Work comes in batches. A batch's statements run in one transaction, so
// PostgreSQL commits (and flushes its log) once for all of them; when one of
// them fails, the others are run again, each in a transaction of its own,
// so that one bad statement fails alone. A lost connection fails what was
// in flight (its commit may or may not have happened: callers write
// statements that are harmless to repeat) and the next batch reconnects.

#include "storage/pg.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace parley::storage {

/// What became of one statement of a batch.
struct outcome {
  std::optional<result> rows;  ///< set when it succeeded
  std::string error;           ///< why not
  bool connection_lost = false;
};

class async_connection {
public:
  using done_fn = std::function<void(std::vector<outcome>)>;

  /// Connects on first use. A batch not answered within `timeout` (the
  /// server hangs, the network drops packets) fails, and the connection is
  /// dropped and made again.
  async_connection(boost::asio::io_context& ioc, std::string conninfo,
                   std::chrono::milliseconds timeout = std::chrono::seconds(20));
  /// Fails what is still in flight and closes; waits for the loop to do so.
  ~async_connection();
  async_connection(const async_connection&) = delete;
  async_connection& operator=(const async_connection&) = delete;

  /// Runs `statements` in one transaction (see above); `done` runs once, on
  /// the loop's thread, with one outcome per statement. Callable from any
  /// thread.
  void run_together(std::vector<statement> statements, done_fn done);

  /// Runs each statement in a transaction of its own, all in one round trip.
  void run_each(std::vector<statement> statements, done_fn done);

  /// Callers' transactions committed so far (a batch counts once).
  uint64_t commits() const;

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

} // namespace parley::storage
