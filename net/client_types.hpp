#pragma once

// An outgoing HTTP request and its answer as parley's clients see them:
// plain structs, no Beast.

#include <chrono>
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

} // namespace parley::net
