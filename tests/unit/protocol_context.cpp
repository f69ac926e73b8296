// The context hub's pure rules: the paths the model may ask for, the
// abstracts within their token budget, search scoring and idea names.
#define CAF_SUITE context_hub
#include "protocol/context_hub.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

using namespace parley;

namespace {

std::string cleaned(const std::string& asked) {
  std::string why;
  auto p = context::clean_path(asked, why);
  return p ? *p : "refused: " + why;
}

} // namespace

CAF_TEST(paths stay inside the hub) {
  CAF_CHECK_EQUAL(cleaned("projects/website.md"), "projects/website.md");
  CAF_CHECK_EQUAL(cleaned("./projects//website.md"), "projects/website.md");
  CAF_CHECK_EQUAL(cleaned("README.md"), "README.md");
  CAF_CHECK_EQUAL(cleaned("../secret.key"), "refused: the path may not go up with '..'");
  CAF_CHECK_EQUAL(cleaned("projects/../../etc/passwd"), "refused: the path may not go up with '..'");
  CAF_CHECK_EQUAL(cleaned("/etc/passwd"),
                  "refused: the path must be relative to the context hub, not absolute");
  CAF_CHECK_EQUAL(cleaned("~/notes.md"),
                  "refused: the path must be relative to the context hub, not absolute");
  CAF_CHECK_EQUAL(cleaned("projects\\..\\x"),
                  "refused: the path contains a control character or a backslash");
  CAF_CHECK_EQUAL(cleaned(std::string("a\0b", 3)),
                  "refused: the path contains a control character or a backslash");
  CAF_CHECK_EQUAL(cleaned(""), "refused: the path is empty");
  CAF_CHECK_EQUAL(cleaned("./"), "refused: the path names no file");
  CAF_CHECK_EQUAL(cleaned(std::string(600, 'a')), "refused: the path is over 512 bytes");
  CAF_CHECK(context::archived("archive/2025/old.md"));
  CAF_CHECK(!context::archived("archived.md"));
}

CAF_TEST(the abstracts keep within their token budget and say what was left out) {
  std::vector<std::pair<std::string, std::string>> lines{
    {"identity", "Wie ik ben en hoe ik werk."},
    {"inbox", ""},
    {"areas", std::string(400, 'x')},
    {"projects", "De website en de verhuizing."}};
  auto all = context::abstracts(lines, 2000);
  CAF_CHECK_EQUAL(all.substr(0, 37), "identity: Wie ik ben en hoe ik werk.\n");
  CAF_CHECK(all.find("inbox: (no abstract.md)\n") != std::string::npos);
  CAF_CHECK(all.find("left out") == std::string::npos);
  auto tight = context::abstracts(lines, 30);
  CAF_CHECK(tight.find("identity:") != std::string::npos);
  CAF_CHECK(tight.find("areas:") == std::string::npos);
  CAF_CHECK(tight.find("(2 more left out: over the budget of 30 tokens;") != std::string::npos);
  CAF_CHECK_LESS_OR_EQUAL(context::tokens(tight.substr(0, tight.find("(2 more"))), 30u);
}

CAF_TEST(a search ranks names over text and ignores case) {
  auto words = context::search_words("Website, VERHUIZING en een x");
  CAF_CHECK_EQUAL(words, (std::vector<std::string>{"website", "verhuizing", "en", "een"}));
  CAF_CHECK_EQUAL(context::score({"website"}, "projects/website.md", "De website is af."), 4u);
  CAF_CHECK_EQUAL(context::score({"website"}, "areas/geld.md", "Niets hierover."), 0u);
  CAF_CHECK_GREATER(context::score({"website"}, "projects/website.md", ""),
                    context::score({"website"}, "areas/x.md", "website website"));
}

CAF_TEST(an idea is named by its time and first words) {
  CAF_CHECK_EQUAL(context::idea_file_name("Een app voor de fietsclub!", "2026-12-07T17:40:02Z"),
                  "20261207T174002-een-app-voor-de-fietsclub.md");
  CAF_CHECK_EQUAL(context::idea_file_name("!!!", "2026-12-07T17:40:02Z"), "20261207T174002.md");
}
