#include "protocol/workflow_template.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <optional>

namespace parley::workflow {

namespace {

using json = nlohmann::json;

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// N of "steps.N.output", or 0 when `name` is not of that form.
size_t step_number(const std::string& name) {
  const std::string head = "steps.", tail = ".output";
  if (name.size() <= head.size() + tail.size() || name.compare(0, head.size(), head) != 0
      || name.compare(name.size() - tail.size(), tail.size(), tail) != 0)
    return 0;
  auto digits = name.substr(head.size(), name.size() - head.size() - tail.size());
  if (digits.empty() || digits.size() > 4)
    return 0;
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return 0;
  return std::stoul(digits);
}

bool is_payload(const std::string& name) {
  return name == "payload" || name.compare(0, 8, "payload.") == 0;
}

/// The value `name` names, or nothing (missing or null).
std::optional<std::string> value_of(const std::string& name, const json& payload,
                                    const std::vector<std::string>& outputs) {
  auto dump = [](const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); };
  if (name == "payload")
    return dump(payload);
  if (is_payload(name)) {
    const json* at = &payload;
    size_t from = 8;
    while (from <= name.size()) {
      auto dot = name.find('.', from);
      auto key = name.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
      if (at->is_object() && at->contains(key))
        at = &(*at)[key];
      else if (at->is_array() && !key.empty()
               && key.find_first_not_of("0123456789") == std::string::npos
               && std::stoul(key) < at->size())
        at = &(*at)[std::stoul(key)];
      else
        return std::nullopt;
      if (dot == std::string::npos)
        break;
      from = dot + 1;
    }
    if (at->is_null())
      return std::nullopt;
    return at->is_string() ? at->get<std::string>() : dump(*at);
  }
  if (auto n = step_number(name); n > 0 && n <= outputs.size())
    return outputs[n - 1];
  return std::nullopt;
}

std::string escaped(const std::string& text, escaping esc) {
  if (esc == escaping::none)
    return text;
  auto quoted = json(text).dump(-1, ' ', false, json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

/// Calls `found(name)` for each placeholder and `text(piece)` for the rest.
template <class Text, class Found>
void scan(const std::string& tpl, Text text, Found found) {
  size_t at = 0;
  while (at < tpl.size()) {
    auto open = tpl.find("{{", at);
    auto close = open == std::string::npos ? std::string::npos : tpl.find("}}", open + 2);
    if (close == std::string::npos) {
      text(tpl.substr(at));
      return;
    }
    text(tpl.substr(at, open - at));
    found(trim(tpl.substr(open + 2, close - open - 2)), tpl.substr(open, close + 2 - open));
    at = close + 2;
  }
}

} // namespace

expansion expand(const std::string& tpl, const json& payload,
                 const std::vector<std::string>& outputs, escaping esc) {
  expansion out;
  scan(
    tpl, [&](const std::string& piece) { out.text += piece; },
    [&](const std::string& name, const std::string&) {
      if (auto v = value_of(name, payload, outputs))
        out.text += escaped(*v, esc);
      else
        out.missing.push_back(name);
    });
  return out;
}

std::vector<std::string> invalid_placeholders(const std::string& tpl, size_t step) {
  std::vector<std::string> bad;
  scan(
    tpl, [](const std::string&) {},
    [&](const std::string& name, const std::string& raw) {
      if (is_payload(name) && name.back() != '.' && name.find("..") == std::string::npos)
        return;
      if (auto n = step_number(name); n > 0 && n < step)
        return;
      bad.push_back(raw);
    });
  return bad;
}

} // namespace parley::workflow
