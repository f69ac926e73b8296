#include "protocol/github_api.hpp"

#include "protocol/json_fields.hpp"
#include "protocol/url.hpp"

#include <nlohmann/json.hpp>

namespace parley::github {

using nlohmann::json;

std::string search_target(const std::string& qualifiers,
                          const std::vector<std::string>& repos) {
  auto q = qualifiers;
  for (auto& r : repos)
    q += " repo:" + r;
  return "/search/issues?q=" + url_encode(q) + "&sort=updated&order=desc&per_page=20";
}

search_answer parse_search(const std::string& body) {
  search_answer out;
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("items") || !j["items"].is_array()) {
    out.error = "the search answer has no items";
    return out;
  }
  for (auto& it : j["items"]) {
    if (!it.is_object() || !it.contains("number") || !it["number"].is_number_integer())
      continue;
    found f;
    f.number = it["number"].get<int64_t>();
    f.title = string_field(it, "title");
    f.pull_request = it.contains("pull_request") && it["pull_request"].is_object();
    // ".../repos/owner/name" → "owner/name"
    auto repo_url = string_field(it, "repository_url");
    if (auto at = repo_url.find("/repos/"); at != std::string::npos)
      f.repo = repo_url.substr(at + 7);
    out.items.push_back(std::move(f));
  }
  return out;
}

std::string parse_head_sha(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("head"))
    return {};
  return string_field(j["head"], "sha");
}

std::vector<std::string> parse_failing_checks(const std::string& body) {
  std::vector<std::string> out;
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("check_runs") || !j["check_runs"].is_array())
    return out;
  for (auto& run : j["check_runs"]) {
    auto c = string_field(run, "conclusion");
    if (c == "failure" || c == "timed_out" || c == "cancelled" || c == "action_required")
      out.push_back(string_field(run, "name"));
  }
  return out;
}

std::string error_message(const std::string& body) {
  return string_field(json::parse(body, nullptr, false), "message");
}

std::string item_line(const github_item& item, const std::string& lang) {
  bool nl = lang == "nl";
  auto ref = item.repo + "#" + std::to_string(item.number) + " " + item.title;
  if (item.kind == "review")
    return (nl ? "Review gevraagd: " : "Review requested: ") + ref;
  if (item.kind == "failing") {
    std::string checks;
    for (auto& c : item.failing_checks)
      checks += (checks.empty() ? "" : ", ") + c;
    return (nl ? "Checks falen: " : "Failing checks: ") + ref + " (" + checks + ")";
  }
  return (nl ? "Toegewezen: " : "Assigned: ") + ref;
}

} // namespace parley::github
