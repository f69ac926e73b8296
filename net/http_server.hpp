#pragma once

#include "net/http_types.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace parley::net {

/// An HTTP/1.1 server on Boost.Beast: keep-alive, a body limit (413 beyond
/// it), read timeouts, and a handler that may answer asynchronously.
class http_server {
public:
  /// Binds and starts `threads` I/O threads; throws std::runtime_error when
  /// the address cannot be bound.
  http_server(const std::string& host, uint16_t port, std::size_t body_limit,
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
