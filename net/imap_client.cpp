#include "net/imap_client.hpp"

#include "net/curl_mail.hpp"

namespace parley::net {

namespace {

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
  curl_mail_init();
  impl_->curl = curl_easy_init();
}

imap_client::~imap_client() {
  if (impl_->curl)
    curl_easy_cleanup(impl_->curl);
}

imap_answer imap_client::run(const imap_account& a, const std::string& mailbox,
                             const std::string& command) {
  return transfer(a, mailbox, [&](CURL* curl) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, command.c_str());
  });
}

imap_answer imap_client::append(const imap_account& a, const std::string& mailbox,
                                const std::string& message) {
  read_cursor cursor{&message};
  return transfer(a, mailbox, [&](CURL* curl) {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_text);
    curl_easy_setopt(curl, CURLOPT_READDATA, &cursor);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  });
}

imap_answer imap_client::transfer(const imap_account& a, const std::string& mailbox,
                                  const std::function<void(CURL*)>& request) {
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
  secure_login(curl, a.username, a.password, a.timeout);
  request(curl);
  // Untagged answers with literals (a FETCH's headers) reach the header
  // callback, not the body: both are kept, in order.
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_text);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_text);
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
