#include "protocol/json_text.hpp"

#include <nlohmann/json.hpp>

namespace parley {

std::string storable_json(const nlohmann::json& j) {
  auto out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Walk escapes so that an escaped backslash followed by "u0000" is kept.
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] != '\\')
      continue;
    if (out.compare(i + 1, 5, "u0000") == 0)
      out.replace(i + 2, 4, "fffd");
    ++i;
  }
  return out;
}

std::string storable_text(std::string s) {
  for (auto at = s.find('\0'); at != std::string::npos; at = s.find('\0', at))
    s.replace(at, 1, "\xEF\xBF\xBD");
  return s;
}

} // namespace parley
