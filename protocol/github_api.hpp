#pragma once

// GitHub's REST API (v3) for the brief and the `github` command: search
// queries for review requests, assigned work and one's own open pull requests,
// and the answers of search, pulls and check-runs.

#include "protocol/live_data.hpp"

#include <string>
#include <vector>

namespace parley::github {

/// `GET /search/issues?q=` for `qualifiers` ("is:open is:pr
/// review-requested:@me") within `repos` (none: every repository).
std::string search_target(const std::string& qualifiers,
                          const std::vector<std::string>& repos);

struct found {
  std::string repo;  ///< owner/name, from repository_url
  int64_t number = 0;
  std::string title;
  bool pull_request = false;
};

struct search_answer {
  std::vector<found> items;
  std::string error;  ///< a malformed body
};

search_answer parse_search(const std::string& body);

/// The head commit of a pull request (`GET /repos/{o}/{r}/pulls/{n}`); "" if absent.
std::string parse_head_sha(const std::string& body);

/// Names of the check runs that failed (failure, timed_out, cancelled,
/// action_required) in a `GET .../commits/{sha}/check-runs` answer.
std::vector<std::string> parse_failing_checks(const std::string& body);

/// GitHub's own error message (`{"message": "Bad credentials"}`), or "".
std::string error_message(const std::string& body);

/// One item in a line: "Review requested: owner/name#12 Fix the parser".
std::string item_line(const github_item& item, const std::string& lang);

} // namespace parley::github
