#include "net/curl_mail.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace parley::net {

void curl_mail_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

void secure_login(CURL* curl, const std::string& username, const std::string& password,
                  std::chrono::milliseconds timeout) {
  curl_easy_setopt(curl, CURLOPT_USERNAME, username.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  // The same extra trust as the HTTP client: OpenSSL's SSL_CERT_FILE.
  if (auto* ca = std::getenv("SSL_CERT_FILE"))
    curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
}

size_t collect_text(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

size_t read_text(char* buffer, size_t size, size_t count, void* cursor) {
  auto* c = static_cast<read_cursor*>(cursor);
  auto n = std::min(size * count, c->text->size() - c->at);
  std::memcpy(buffer, c->text->data() + c->at, n);
  c->at += n;
  return n;
}

} // namespace parley::net
