#include "net/smtp_client.hpp"

#include "net/curl_mail.hpp"

#include <memory>

namespace parley::net {

smtp_result smtp_send(const imap_account& a, const std::string& from,
                      const std::string& to, const std::string& message) {
  smtp_result out;
  curl_mail_init();
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    out.error = "libcurl could not be initialised";
    return out;
  }
  auto* h = curl.get();
  auto url = std::string(a.implicit_tls ? "smtps://" : "smtp://") + a.host + ":"
             + std::to_string(a.port);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  secure_login(h, a.username, a.password, a.timeout);
  auto sender = "<" + from + ">";
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, sender.c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> rcpt(
    curl_slist_append(nullptr, ("<" + to + ">").c_str()), curl_slist_free_all);
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
  read_cursor cursor{&message};
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_text);
  curl_easy_setopt(h, CURLOPT_READDATA, &cursor);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  std::string ignored;
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect_text);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &ignored);
  auto rc = curl_easy_perform(h);
  if (rc == CURLE_OK) {
    out.ok = true;
    return out;
  }
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  out.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
  out.login_denied = rc == CURLE_LOGIN_DENIED;
  out.refused = code >= 500;
  out.error = std::string(curl_easy_strerror(rc))
              + (code ? " (the server answered " + std::to_string(code) + ")" : "");
  return out;
}

} // namespace parley::net
