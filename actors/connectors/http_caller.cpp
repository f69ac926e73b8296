#include "actors/connectors/http_caller.hpp"

#include "net/http_client.hpp"

namespace parley {

write_outcome call_http(const std::vector<std::string>& argv) {
  if (argv.size() != 4)
    return {false, "the approved call is incomplete"};
  net::client_request req;
  req.method = argv[0];
  req.url = argv[1];
  req.body = argv[2];
  req.headers.emplace_back("Idempotency-Key", argv[3]);
  req.timeout = std::chrono::seconds(30);
  net::http_client http;
  auto res = http.send(req);
  if (res.status == 0)
    return {false, "no answer: " + res.error};
  auto body = res.body.size() > 4096 ? res.body.substr(0, 4096) + "…" : res.body;
  return {res.status >= 200 && res.status < 300,
          "HTTP " + std::to_string(res.status) + (body.empty() ? "" : "\n" + body)};
}

} // namespace parley
