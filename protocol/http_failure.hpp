#pragma once

// One sentence for a failed call to a connector's server, so that a person
// reads what is wrong ("GitHub refused the token (401 Bad credentials):
// check connectors.github.token_env") instead of a stack of errors.

#include <string>

namespace parley {

struct http_outcome {
  int status = 0;         ///< 0: no HTTP answer
  std::string message;    ///< the server's own error message, if it sent one
  std::string error;      ///< network or TLS error when status is 0
  bool timed_out = false;
  int timeout_ms = 0;
};

/// `service` names the peer ("GitHub", "Open-Meteo", "the CalDAV server");
/// `credential_key` is the config key of its credential ("" when it has none).
std::string describe_failure(const std::string& service, const http_outcome& o,
                             const std::string& credential_key);

} // namespace parley
