#pragma once

// Submitting one message over SMTP with libcurl (Debian's
// libcurl4-openssl-dev): TLS always (implicit on 465, or STARTTLS required),
// the server's certificate verified, AUTH with the account's login. Blocking.

#include "net/imap_client.hpp"

#include <string>

namespace parley::net {

struct smtp_result {
  bool ok = false;
  bool login_denied = false;
  bool timed_out = false;
  bool refused = false;  ///< the server answered, and said no (a 5xx)
  std::string error;     ///< what failed, in a sentence
};

/// Sends `message` (RFC 5322, CRLF) from `from` to `to` through the
/// account's server (host, port, implicit_tls, login, timeout).
smtp_result smtp_send(const imap_account& server, const std::string& from,
                      const std::string& to, const std::string& message);

} // namespace parley::net
