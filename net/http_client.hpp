#pragma once

// A blocking HTTP(S) client for detached actors: Beast + OpenSSL with
// certificate and host-name verification, keep-alive per origin, and a
// deadline on every request. Plain http is allowed (loopback fakes, local
// LLM servers). Not thread-safe: one client per thread.

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace parley::net {

struct client_request {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
  /// Safe to repeat (no side effect, or a harmless one; GET always is):
  /// after the request went out on a kept-alive connection that then
  /// failed, it is sent once more on a new connection. Otherwise the caller
  /// hears `written`.
  bool repeatable = false;
};

struct client_response {
  int status = 0;       ///< 0: no HTTP answer (see error)
  std::string body;
  std::string error;    ///< network, TLS or timeout error
  bool timed_out = false;
  /// With status 0: the whole request went out before the failure, so the
  /// peer may have acted on it (a send may have been delivered).
  bool written = false;
};

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
