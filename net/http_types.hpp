#pragma once

// HTTP as the rest of parley sees it: plain structs, no Beast.

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace parley::net {

struct http_request {
  std::string method;
  std::string target;  ///< path and query
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string body;
  std::string remote;  ///< the peer's address, as the socket says

  std::string path() const { return target.substr(0, target.find('?')); }
  std::string header(const std::string& lower_name) const {
    auto i = headers.find(lower_name);
    return i == headers.end() ? std::string{} : i->second;
  }
};

struct http_response {
  http_response(unsigned status = 200, std::string content_type = "application/json",
                std::string body = {},
                std::vector<std::pair<std::string, std::string>> headers = {})
    : status(status), content_type(std::move(content_type)), body(std::move(body)),
      headers(std::move(headers)) {}
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< more fields
};

/// Completes one request. Callable once, from any thread.
using respond_fn = std::function<void(http_response)>;

/// Handles a request without blocking: answers now or later via `respond`.
using http_handler = std::function<void(http_request, respond_fn)>;

/// `{"error": code, "detail": detail}` with the given status.
http_response json_error(unsigned status, const std::string& code,
                         const std::string& detail);

} // namespace parley::net
