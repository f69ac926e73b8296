#pragma once

// A blocking IMAP client on libcurl (Debian's libcurl4-openssl-dev): one
// command per call on a mailbox, TLS always (implicit on 993, or STARTTLS
// required), the server's certificate verified against the system store and
// SSL_CERT_FILE. Not thread-safe: one client per thread.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace parley::net {

struct imap_account {
  std::string host;
  int port = 993;
  bool implicit_tls = true;  ///< false: STARTTLS, required
  std::string username;
  std::string password;
  std::chrono::milliseconds timeout{10000};
};

struct imap_answer {
  bool ok = false;
  std::string error;        ///< what failed, in a sentence
  bool login_denied = false;
  bool timed_out = false;
  std::string text;         ///< everything the server answered (literals included)
};

class imap_client {
public:
  imap_client();
  ~imap_client();
  imap_client(const imap_client&) = delete;
  imap_client& operator=(const imap_client&) = delete;

  /// Selects `mailbox` and runs `command` ("UID SEARCH UNSEEN").
  imap_answer run(const imap_account& account, const std::string& mailbox,
                  const std::string& command);

  /// Stores `message` (RFC 5322, CRLF) in `mailbox` (APPEND).
  imap_answer append(const imap_account& account, const std::string& mailbox,
                     const std::string& message);

private:
  imap_answer transfer(const imap_account& account, const std::string& mailbox,
                       const std::function<void(void*)>& request);
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace parley::net
