#pragma once

// What every fuzz target asserts beyond "no crash, no UB": a broken property
// aborts with a message, and libFuzzer saves the input that did it.

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace parley::fuzz {

inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property broken: %s\n", what);
    std::abort();
  }
}

/// An item's raw JSON is stored as jsonb, which rejects \u0000: one such
/// item would fail its whole group commit, on every retry. (NUL in plain
/// text fields is replaced by storage/pg.cpp.)
inline bool holds_nul(const nlohmann::json& j) {
  if (j.is_string())
    return j.get_ref<const std::string&>().find('\0') != std::string::npos;
  if (j.is_object())
    for (auto& [key, value] : j.items())
      if (key.find('\0') != std::string::npos || holds_nul(value))
        return true;
  if (j.is_array())
    for (auto& value : j)
      if (holds_nul(value))
        return true;
  return false;
}

inline void require_storable_json(const std::string& raw) {
  require(nlohmann::json::accept(raw), "raw is JSON");
  require(!holds_nul(nlohmann::json::parse(raw)), "raw has no \\u0000");
}

} // namespace parley::fuzz
