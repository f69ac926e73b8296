#include "protocol/context_hub.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace parley::context {

const std::vector<std::string> folders = {"identity", "inbox",     "areas",
                                          "projects", "knowledge", "archive"};

namespace {

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

size_t count_in(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + needle.size()))
    ++n;
  return n;
}

} // namespace

std::optional<std::string> clean_path(const std::string& asked, std::string& why) {
  if (asked.empty()) {
    why = "the path is empty";
    return std::nullopt;
  }
  if (asked.size() > 512) {
    why = "the path is over 512 bytes";
    return std::nullopt;
  }
  if (asked[0] == '/' || asked[0] == '~') {
    why = "the path must be relative to the context hub, not absolute";
    return std::nullopt;
  }
  for (unsigned char c : asked)
    if (c < 0x20 || c == 0x7f || c == '\\') {
      why = "the path contains a control character or a backslash";
      return std::nullopt;
    }
  std::vector<std::string> parts;
  std::istringstream in(asked);
  for (std::string part; std::getline(in, part, '/');) {
    if (part.empty() || part == ".")
      continue;
    if (part == "..") {
      why = "the path may not go up with '..'";
      return std::nullopt;
    }
    parts.push_back(part);
  }
  if (parts.empty()) {
    why = "the path names no file";
    return std::nullopt;
  }
  std::string out;
  for (auto& p : parts)
    out += (out.empty() ? "" : "/") + p;
  return out;
}

bool archived(const std::string& path) {
  return path == "archive" || path.compare(0, 8, "archive/") == 0;
}

size_t tokens(const std::string& text) { return (text.size() + 3) / 4; }

std::string abstracts(const std::vector<std::pair<std::string, std::string>>& by_folder,
                      size_t budget) {
  std::string out;
  size_t used = 0, shown = 0;
  for (auto& [folder, abstract] : by_folder) {
    auto line = folder + ": " + (abstract.empty() ? "(no abstract.md)" : abstract) + "\n";
    if (used + tokens(line) > budget)
      break;
    out += line;
    used += tokens(line);
    ++shown;
  }
  if (shown < by_folder.size())
    out += "(" + std::to_string(by_folder.size() - shown)
           + " more left out: over the budget of " + std::to_string(budget)
           + " tokens; ask for a folder's overview)\n";
  return out;
}

size_t score(const std::vector<std::string>& words, const std::string& path,
             const std::string& text) {
  auto p = lower(path), t = lower(text);
  size_t s = 0;
  for (auto& w : words)
    s += 3 * count_in(p, w) + count_in(t, w);
  return s;
}

std::vector<std::string> search_words(const std::string& query) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (word.size() >= 2 && words.size() < 8
        && std::find(words.begin(), words.end(), word) == words.end())
      words.push_back(word);
    word.clear();
  };
  for (unsigned char c : query) {
    if (std::isalnum(c) || c >= 0x80 || c == '-' || c == '_')
      word += static_cast<char>(std::tolower(c));
    else
      flush();
  }
  flush();
  return words;
}

std::string idea_file_name(const std::string& text, const std::string& utc_stamp) {
  std::string slug;
  for (unsigned char c : text) {
    if (std::isalnum(c))
      slug += static_cast<char>(std::tolower(c));
    else if (!slug.empty() && slug.back() != '-')
      slug += '-';
    if (slug.size() >= 40)
      break;
  }
  while (!slug.empty() && slug.back() == '-')
    slug.pop_back();
  std::string stamp;
  for (char c : utc_stamp)
    if (std::isdigit(static_cast<unsigned char>(c)) || c == 'T')
      stamp += c;
  return stamp + (slug.empty() ? "" : "-" + slug) + ".md";
}

} // namespace parley::context
