#pragma once

// An asynchronous HTTP(S) client on an Asio io_context: Beast + OpenSSL with
// certificate and host-name verification, a pool of kept-alive connections
// per origin (at most `per_origin` open at once; more requests wait for one
// to come free), and a deadline on every request, its wait for a connection
// included. Plain http is allowed (loopback fakes, local LLM servers).

#include "net/client_types.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace parley::net {

class http_pool {
public:
  using done_fn = std::function<void(client_response)>;

  /// `ca_file`: extra trusted certificates (PEM), e.g. for a private CA; the
  /// system's store is always used.
  http_pool(boost::asio::io_context& ioc, std::string ca_file = {},
            size_t per_origin = 16);
  ~http_pool();
  http_pool(const http_pool&) = delete;
  http_pool& operator=(const http_pool&) = delete;

  /// Sends `req`; `done` runs once, on the io_context's thread, with the
  /// answer or the failure. Callable from any thread.
  void send(client_request req, done_fn done);

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

} // namespace parley::net
