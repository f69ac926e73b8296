#pragma once

// Reads one JSON object of the configuration strictly: every key it is asked
// for is marked known, and when the reader is done every other key is a
// problem ("tenants[1].relevance_treshold: unknown key; did you mean
// relevance_threshold?"). Problems are collected, not thrown, so that
// `parley check-config` can print all of them at once.

#include "protocol/config.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace parley {

/// The problems found so far, each "<key path>: <what is wrong>".
using config_problems = std::vector<std::string>;

/// The closest of `known` to `key` when it is close enough to be a typo.
std::optional<std::string> closest_key(const std::string& key,
                                       const std::set<std::string>& known);

class object_reader {
public:
  object_reader(const nlohmann::json& j, std::string path,
                config_problems& problems);

  /// Reads `key` into `out` when present and not null.
  template <class T>
  void read(const char* key, T& out) {
    auto* v = take(key);
    if (!v)
      return;
    try {
      out = v->get<T>();
    } catch (const nlohmann::json::exception&) {
      problem(key, "has the wrong type");
    }
  }

  /// Reads an `..._env` key: the value is the named environment variable's.
  /// Returns the variable's name ("" when the key is absent).
  std::string secret(const char* key, std::string& out, const env_lookup& env);

  /// Reads a nested object with `body`; false when absent or null.
  bool object(const char* key, const std::function<void(object_reader&)>& body);

  /// Reads an array of objects, each with `body(reader, index)`.
  void objects(const char* key,
               const std::function<void(object_reader&, size_t)>& body);

  /// Whether `key` is present (and not null); marks it known.
  bool has(const char* key);

  /// Records a problem with `key` of this object.
  void problem(const std::string& key, const std::string& what);

  /// Records a problem with this object as a whole.
  void problem(const std::string& what);

  const std::string& path() const { return path_; }

  /// Reports every key that was never asked for.
  void finish();

private:
  const nlohmann::json* take(const char* key);
  std::string path_of(const std::string& key) const;

  const nlohmann::json& j_;
  std::string path_;
  config_problems& problems_;
  std::set<std::string> known_;
};

} // namespace parley
