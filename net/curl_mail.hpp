#pragma once

// What the IMAP and SMTP clients set alike on a libcurl handle: TLS always
// (implicit, or STARTTLS required), the server's certificate and host name
// verified against the system store and SSL_CERT_FILE, the login, a timeout,
// and a message for a failed transfer.

#include <curl/curl.h>

#include <chrono>
#include <string>

namespace parley::net {

/// Initialises libcurl once per process.
void curl_mail_init();

void secure_login(CURL* curl, const std::string& username, const std::string& password,
                  std::chrono::milliseconds timeout);

/// Collects what the server sends (a CURLOPT_WRITEFUNCTION).
size_t collect_text(char* data, size_t size, size_t count, void* out);

/// Gives `text` to an upload (a CURLOPT_READFUNCTION over a read_cursor).
struct read_cursor {
  const std::string* text;
  size_t at = 0;
};
size_t read_text(char* buffer, size_t size, size_t count, void* cursor);

} // namespace parley::net
