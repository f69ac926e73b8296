#pragma once

// Fields of JSON from peers that may send any type. nlohmann's
// value(key, default) throws when the key holds another type, so a
// `"message": null` in an error answer would take its reader down.

#include <nlohmann/json.hpp>

#include <string>

namespace parley {

/// `j[key]` when `j` is an object and the field is a string; otherwise "".
inline std::string string_field(const nlohmann::json& j, const char* key) {
  if (!j.is_object())
    return {};
  auto i = j.find(key);
  return i != j.end() && i->is_string() ? i->get<std::string>() : std::string{};
}

} // namespace parley
