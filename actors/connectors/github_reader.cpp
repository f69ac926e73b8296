// GitHub's REST API with the tenant's token: review requests, assigned
// issues and pull requests, and failing checks on one's own open pull
// requests, within the configured repositories.

#include "actors/connectors/sources.hpp"

#include "protocol/live_text.hpp"

#include "net/http_client.hpp"
#include "protocol/github_api.hpp"

namespace parley {

namespace {

constexpr const char* token_key = "tenants[].connectors.github.token_env";
constexpr size_t max_checked_prs = 10;  ///< own PRs whose checks are read

} // namespace

source_factory github_reader(const config& cfg, const tenant_config& t) {
  auto base = cfg.apis.github_url;
  auto timeout = cfg.connectors.timeout_ms;
  auto gh = t.connectors.github;
  auto lang = t.language;
  return [=] {
    auto http = std::make_shared<net::http_client>();
    return [=](const std::string&, const std::string&) {
      std::string failure;
      // One GET; on failure `failure` says why and the body is "".
      auto get = [&](const std::string& target) -> std::string {
        net::client_request req;
        req.method = "GET";
        req.url = base + target;
        req.timeout = std::chrono::milliseconds(timeout);
        req.headers = {{"Accept", "application/vnd.github+json"},
                       {"User-Agent", "parley"},
                       {"X-GitHub-Api-Version", "2022-11-28"}};
        if (!gh.token.empty())
          req.headers.emplace_back("Authorization", "Bearer " + gh.token);
        auto res = http->send(req);
        if (res.status == 200)
          return res.body;
        failure = describe_failure("GitHub", outcome_of(res, timeout, github::error_message(res.body)),
                                   token_key);
        return {};
      };
      // GitHub's search needs is:issue or is:pr with a token.
      auto search = [&](const std::string& q) {
        auto body = get(github::search_target(q, gh.repos));
        if (body.empty())
          return std::vector<github::found>{};
        auto s = github::parse_search(body);
        if (!s.error.empty())
          failure = "GitHub sent an unreadable answer: " + s.error;
        return s.items;
      };
      std::vector<github_item> items;
      // An item found twice (review requested and assigned) is listed once.
      auto add = [&](const github::found& f, const char* kind) {
        for (auto& i : items)
          if (i.repo == f.repo && i.number == f.number)
            return;
        items.push_back({f.repo, f.number, f.title, kind, {}});
      };
      for (auto& f : search("is:open is:pr review-requested:@me"))
        add(f, "review");
      auto mine = failure.empty() ? search("is:open is:pr author:@me")
                                  : std::vector<github::found>{};
      for (size_t i = 0; i < mine.size() && i < max_checked_prs && failure.empty(); ++i) {
        auto& pr = mine[i];
        auto sha = github::parse_head_sha(
          get("/repos/" + pr.repo + "/pulls/" + std::to_string(pr.number)));
        if (sha.empty())
          continue;
        auto checks = github::parse_failing_checks(
          get("/repos/" + pr.repo + "/commits/" + sha + "/check-runs"));
        if (!checks.empty())
          items.push_back({pr.repo, pr.number, pr.title, "failing", checks});
      }
      for (auto q : {"is:open is:issue assignee:@me", "is:open is:pr assignee:@me"})
        if (failure.empty())
          for (auto& f : search(q))
            add(f, "assigned");
      if (!failure.empty())
        return failing_report("github", failure);
      auto r = ok_report("github");
      for (auto& item : items) {
        r.lines.push_back(github::item_line(item, lang));
        auto ref = item.repo + "#" + std::to_string(item.number);
        if (item.kind == "review")
          r.priorities.push_back((lang == "nl" ? "Review " : "Review ") + ref);
        else if (item.kind == "failing")
          r.priorities.push_back((lang == "nl" ? "Repareer de checks van " : "Fix the checks of ") + ref);
      }
      return r;
    };
  };
}

} // namespace parley
