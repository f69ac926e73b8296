#pragma once

// Case and white space of ASCII letters, for words of commands, headers and
// protocols (bytes of other scripts are left as they are).

#include <cctype>
#include <string>
#include <string_view>

namespace parley {

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline std::string_view trim(std::string_view s) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && space(s.back()))
    s.remove_suffix(1);
  return s;
}

} // namespace parley
