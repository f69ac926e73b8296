#include "protocol/http_failure.hpp"

namespace parley {

std::string describe_failure(const std::string& service, const http_outcome& o,
                             const std::string& credential_key) {
  auto detail = [&](const std::string& code) {
    return o.message.empty() ? " (" + code + ")" : " (" + code + " " + o.message + ")";
  };
  auto check = credential_key.empty() ? std::string() : ": check " + credential_key;
  if (o.timed_out)
    return service + " did not answer within " + std::to_string(o.timeout_ms) + " ms";
  if (o.status == 0)
    return service + " is unreachable: " + o.error;
  if (o.status == 401)
    return service + " refused the credentials" + detail("401") + check;
  if (o.status == 403)
    return service + " denied access" + detail("403") + check;
  if (o.status == 404)
    return service + " does not know what was asked for" + detail("404");
  if (o.status == 429)
    return service + " is rate limiting parley" + detail("429") + "; try again later";
  if (o.status >= 500)
    return service + " failed" + detail("HTTP " + std::to_string(o.status));
  return service + " answered" + detail("HTTP " + std::to_string(o.status));
}

} // namespace parley
