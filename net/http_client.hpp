#pragma once

// A blocking HTTP(S) client for detached actors: an http_pool on the
// caller's own thread, run until the answer is in. Not thread-safe: one
// client per thread.

#include "net/client_types.hpp"

#include <memory>
#include <string>

namespace parley::net {

class http_client {
public:
  /// `ca_file`: extra trusted certificates (PEM), e.g. for a private CA;
  /// the system's store is always used.
  explicit http_client(std::string ca_file = {});
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  client_response send(const client_request& req);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace parley::net
