#pragma once

#include "net/connection_limits.hpp"
#include "net/http_types.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace parley::net {

/// How much a client may hold of the server, and for how long.
struct server_limits {
  std::size_t body_limit = 1 << 20;  ///< bytes; 413 beyond it
  /// From a head's first byte to its end (a slow client cannot hold a
  /// connection by trickling bytes).
  std::chrono::seconds head_timeout{10};
  /// A kept-alive connection with no request under way.
  std::chrono::seconds idle_timeout{60};
  /// The body's deadline is the head timeout plus its length at this rate.
  std::size_t body_min_rate = 16 * 1024;  ///< bytes per second
  /// Open connections in all; at the cap the longest idle one makes room
  /// for a new one, and with none idle the new one is refused.
  std::size_t max_connections = 4096;
  /// Open connections from one address (a slow client cannot take them all).
  std::size_t max_connections_per_address = 256;
  /// Where the edge counts what it refused (for /metrics); null: its own.
  std::shared_ptr<edge_counters> counters;
};

/// An HTTP/1.1 server on Boost.Beast: keep-alive, pipelining, a strict
/// reading of every request head (protocol/http_framing), a body limit (413
/// beyond it), deadlines, and a handler that may answer asynchronously.
class http_server {
public:
  /// Binds and starts `threads` I/O threads; throws std::runtime_error when
  /// the address cannot be bound.
  http_server(const std::string& host, uint16_t port, const server_limits& limits,
              http_handler handler, int threads);
  ~http_server();

  /// The bound port (useful with port 0).
  uint16_t port() const;

  /// Stops accepting, closes connections and joins the I/O threads.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace parley::net
