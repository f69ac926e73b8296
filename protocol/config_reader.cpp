#include "protocol/config_reader.hpp"

#include <algorithm>

namespace parley {

using nlohmann::json;

namespace {

/// Edits between two keys, a swap of two neighbours counting as one
/// ("modle" is one edit from "model").
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

} // namespace

std::optional<std::string> closest_key(const std::string& key,
                                       const std::set<std::string>& known) {
  // A typo changes a few letters; beyond a third of the key it is another word.
  size_t limit = std::max<size_t>(1, std::min<size_t>(3, key.size() / 3));
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (auto& k : known) {
    auto d = edit_distance(key, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  return best;
}

object_reader::object_reader(const json& j, std::string path,
                             config_problems& problems)
  : j_(j), path_(std::move(path)), problems_(problems) {
  if (!j_.is_object())
    problem("must be an object");
}

std::string object_reader::path_of(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void object_reader::problem(const std::string& key, const std::string& what) {
  problems_.push_back(path_of(key) + ": " + what);
}

void object_reader::problem(const std::string& what) {
  problems_.push_back((path_.empty() ? "the configuration" : path_) + ": " + what);
}

const json* object_reader::take(const char* key) {
  known_.insert(key);
  if (!j_.is_object())
    return nullptr;
  auto i = j_.find(key);
  if (i == j_.end() || i->is_null())
    return nullptr;
  return &*i;
}

bool object_reader::has(const char* key) {
  return take(key) != nullptr;
}

std::string object_reader::secret(const char* key, std::string& out,
                                  const env_lookup& env) {
  std::string var;
  read(key, var);
  if (var.empty())
    return var;
  if (auto value = env(var))
    out = *value;
  return var;
}

bool object_reader::object(const char* key,
                           const std::function<void(object_reader&)>& body) {
  auto* v = take(key);
  if (!v)
    return false;
  object_reader nested(*v, path_of(key), problems_);
  if (!v->is_object())
    return false;
  body(nested);
  nested.finish();
  return true;
}

void object_reader::objects(
  const char* key, const std::function<void(object_reader&, size_t)>& body) {
  auto* v = take(key);
  if (!v)
    return;
  if (!v->is_array())
    return problem(key, "must be an array");
  for (size_t i = 0; i < v->size(); ++i) {
    auto& item = (*v)[i];
    object_reader nested(item, path_of(key) + "[" + std::to_string(i) + "]",
                         problems_);
    if (!item.is_object())
      continue;
    body(nested, i);
    nested.finish();
  }
}

void object_reader::finish() {
  if (!j_.is_object())
    return;
  for (auto& [key, value] : j_.items()) {
    if (known_.count(key))
      continue;
    auto near = closest_key(key, known_);
    problem(key, near ? "unknown key; did you mean " + *near + "?"
                      : std::string("unknown key"));
  }
}

} // namespace parley
