#include "net/imap_client.hpp"

#include <curl/curl.h>

#include <cstdlib>
#include <mutex>

namespace parley::net {

namespace {

size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

/// Mailbox names in a URL path: everything but unreserved characters escaped.
std::string escape_path(CURL* curl, const std::string& s) {
  char* e = curl_easy_escape(curl, s.c_str(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

} // namespace

struct imap_client::impl {
  CURL* curl = nullptr;
};

imap_client::imap_client() : impl_(std::make_unique<impl>()) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->curl = curl_easy_init();
}

imap_client::~imap_client() {
  if (impl_->curl)
    curl_easy_cleanup(impl_->curl);
}

imap_answer imap_client::run(const imap_account& a, const std::string& mailbox,
                             const std::string& command) {
  imap_answer out;
  auto* curl = impl_->curl;
  if (!curl) {
    out.error = "libcurl could not be initialised";
    return out;
  }
  // One connection is kept between calls (libcurl reuses it when the
  // account is the same).
  curl_easy_reset(curl);
  auto url = std::string(a.implicit_tls ? "imaps://" : "imap://") + a.host + ":"
             + std::to_string(a.port) + "/" + escape_path(curl, mailbox);
  std::string body, lines;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, a.username.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, a.password.c_str());
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  // The same extra trust as the HTTP client: OpenSSL's SSL_CERT_FILE.
  if (auto* ca = std::getenv("SSL_CERT_FILE"))
    curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, command.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(a.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // Untagged answers with literals (a FETCH's headers) reach the header
  // callback, not the body: both are kept, in order.
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &lines);
  auto rc = curl_easy_perform(curl);
  out.text = lines + body;
  if (rc == CURLE_OK) {
    out.ok = true;
    return out;
  }
  out.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
  out.login_denied = rc == CURLE_LOGIN_DENIED;
  out.error = curl_easy_strerror(rc);
  return out;
}

} // namespace parley::net
