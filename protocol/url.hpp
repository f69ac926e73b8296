#pragma once

#include <optional>
#include <string>

namespace parley {

/// The parts of an http(s) URL that a client needs.
struct url {
  std::string scheme;  ///< "http" or "https"
  std::string host;
  std::string port;    ///< defaulted from the scheme
  std::string target;  ///< path and query, at least "/"
};

/// Parses http://host[:port]/path and https://...; nullopt otherwise.
std::optional<url> parse_url(const std::string& text);

/// Decodes %XX and '+' in a query component.
std::string url_decode(const std::string& s);

/// Percent-encodes all but RFC 3986's unreserved characters (for one path
/// segment or query value).
std::string url_encode(const std::string& s);

/// The value of `key` in the query string of `target`, decoded.
std::optional<std::string> query_param(const std::string& target,
                                       const std::string& key);

} // namespace parley
