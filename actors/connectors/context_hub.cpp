#include "actors/connectors/context_hub.hpp"

#include "actors/log.hpp"
#include "protocol/context_hub.hpp"
#include "protocol/time_zone.hpp"
#include "protocol/tools.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace parley {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr size_t read_cap = 16 * 1024;    // a file as the model reads it
constexpr size_t search_cap = 64 * 1024;  // of each file, when searching
constexpr size_t search_files = 500;
constexpr size_t search_hits = 5;

const char* readme =
  "# Context hub\n\n"
  "What parley's agent may read, tier by tier. Each folder may hold an\n"
  "`abstract.md` (one line: what is in it) and an `overview.md` (a page).\n\n"
  "- identity/: who you are; `soul.md` goes before the assistant's instructions\n"
  "- inbox/: new notes and ideas (the agent's save_idea writes here)\n"
  "- areas/: ongoing responsibilities\n"
  "- projects/: things with an end\n"
  "- knowledge/: reference\n"
  "- archive/: done; read only when asked for by name\n";

/// Up to `cap` bytes of a file, and whether there was more.
std::string read_text(const fs::path& p, size_t cap, bool& cut) {
  std::ifstream in(p, std::ios::binary);
  std::string text(cap + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  cut = text.size() > cap;
  if (cut)
    text.resize(cap);
  return text;
}

std::string first_line(const fs::path& p) {
  bool cut = false;
  auto text = read_text(p, 300, cut);
  auto nl = text.find('\n');
  return text.substr(0, nl);
}

/// `rel` inside `root`, through any symlinks, or nothing.
std::optional<fs::path> inside(const std::string& root, const std::string& rel) {
  std::error_code ec;
  auto full = fs::weakly_canonical(fs::path(root) / rel, ec);
  if (ec)
    return std::nullopt;
  auto s = full.string();
  if (s != root && s.compare(0, root.size() + 1, root + "/") != 0)
    return std::nullopt;
  return full;
}

std::string string_arg(const std::string& args, const char* key) {
  auto j = json::parse(args, nullptr, false);
  if (j.is_object() && j.contains(key) && j[key].is_string())
    return j[key].get<std::string>();
  return "";
}

std::string abstracts(const std::string& root, size_t budget) {
  std::vector<std::pair<std::string, std::string>> lines;
  for (auto& f : context::folders) {
    if (context::archived(f))
      continue;  // only by name
    auto p = fs::path(root) / f / "abstract.md";
    std::error_code ec;
    lines.emplace_back(f, fs::is_regular_file(p, ec) ? first_line(p) : "");
  }
  return context::abstracts(lines, budget);
}

std::string overview(const std::string& root, const std::string& folder) {
  if (std::find(context::folders.begin(), context::folders.end(), folder)
      == context::folders.end())
    return "error: no folder '" + folder + "'; the folders are identity, inbox, areas,"
           " projects, knowledge, archive";
  auto dir = inside(root, folder);
  if (!dir)
    return "error: " + folder + " is not inside the context hub";
  std::error_code ec;
  auto file = *dir / "overview.md";
  std::string out;
  if (fs::is_regular_file(file, ec)) {
    bool cut = false;
    out = read_text(file, read_cap, cut);
    if (cut)
      out += "\n(cut at 16 KB)";
  } else {
    out = "(no overview.md)";
  }
  std::vector<std::string> names;
  for (auto& e : fs::directory_iterator(*dir, ec))
    if (names.size() < 50)
      names.push_back(e.path().filename().string() + (e.is_directory(ec) ? "/" : ""));
  std::sort(names.begin(), names.end());
  out += "\n\nFiles in " + folder + "/:";
  for (auto& n : names)
    out += "\n- " + n;
  return out;
}

std::string read(const std::string& root, const std::string& asked) {
  std::string why;
  auto rel = context::clean_path(asked, why);
  if (!rel)
    return "error: " + why;
  auto full = inside(root, *rel);
  if (!full)
    return "error: " + *rel + " is not inside the context hub";
  std::error_code ec;
  if (!fs::is_regular_file(*full, ec))
    return "error: no file " + *rel;
  bool cut = false;
  auto text = read_text(*full, read_cap, cut);
  return cut ? text + "\n(cut at 16 KB; the file is longer)" : text;
}

std::string search(const std::string& root, const std::string& query) {
  auto words = context::search_words(query);
  if (words.empty())
    return "error: give one or more words to search for";
  struct hit {
    size_t score;
    std::string path, line;
  };
  std::vector<hit> hits;
  std::error_code ec;
  size_t seen = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator() && seen < search_files; it.increment(ec)) {
    auto rel = fs::relative(it->path(), root, ec).string();
    if (context::archived(rel)) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(ec) || !it->is_regular_file(ec))
      continue;
    ++seen;
    bool cut = false;
    auto text = read_text(it->path(), search_cap, cut);
    auto s = context::score(words, rel, text);
    if (s == 0)
      continue;
    std::string line;
    std::istringstream lines(text);
    for (std::string l; std::getline(lines, l);)
      if (context::score(words, "", l) > 0) {
        line = l.substr(0, 200);
        break;
      }
    hits.push_back({s, rel, line});
  }
  std::sort(hits.begin(), hits.end(), [](auto& a, auto& b) {
    return a.score != b.score ? a.score > b.score : a.path < b.path;
  });
  if (hits.empty())
    return "nothing found for: " + query;
  std::string out;
  for (size_t i = 0; i < hits.size() && i < search_hits; ++i)
    out += hits[i].path + (hits[i].line.empty() ? "" : ": " + hits[i].line) + "\n";
  if (hits.size() > search_hits)
    out += "(" + std::to_string(hits.size() - search_hits) + " more files match)\n";
  return out;
}

std::string save_idea(const std::string& root, const std::string& text) {
  if (text.empty())
    return "error: the idea is empty";
  if (text.size() > 4000)
    return "error: an idea is at most 4000 characters";
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  auto stamp = tz::rfc3339_utc(now);
  auto inbox = fs::path(root) / "inbox";
  std::error_code ec;
  fs::create_directories(inbox, ec);
  auto file = inbox / context::idea_file_name(text, stamp);
  if (fs::exists(file, ec))  // the same words within the same second
    file = inbox / (std::to_string(now) + "-" + file.filename().string());
  std::ofstream out(file);
  out << "# Idea (" << stamp << ")\n\n" << text << "\n";
  if (!out)
    return "error: the idea could not be written";
  return "saved as inbox/" + file.filename().string();
}

} // namespace

std::string read_soul(const std::string& dir) {
  std::error_code ec;
  auto p = fs::path(dir) / "identity" / "soul.md";
  if (!fs::is_regular_file(p, ec))
    return "";
  bool cut = false;
  return read_text(p, 8192, cut);
}

context_hub_actor::behavior_type
context_hub(context_hub_actor::stateful_pointer<context_hub_state> self, std::string dir,
            size_t abstracts_budget) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (auto& f : context::folders)
    fs::create_directories(fs::path(dir) / f, ec);
  if (!fs::exists(fs::path(dir) / "README.md", ec))
    std::ofstream(fs::path(dir) / "README.md") << readme;
  self->state.root = fs::canonical(dir, ec).string();
  if (ec)
    log::error("the context hub " + dir + " cannot be opened: " + ec.message());
  return {
    [=](atom::run, const std::string& tool, const std::string& args) -> std::string {
      auto& root = self->state.root;
      if (root.empty())
        return "error: the context hub is not available";
      if (tool == tools::context_abstracts)
        return abstracts(root, abstracts_budget);
      if (tool == tools::context_overview)
        return overview(root, string_arg(args, "folder"));
      if (tool == tools::context_read)
        return read(root, string_arg(args, "path"));
      if (tool == tools::context_search)
        return search(root, string_arg(args, "words"));
      if (tool == tools::save_idea)
        return save_idea(root, string_arg(args, "text"));
      return "error: no context tool " + tool;
    },
    [=](atom::load) -> std::string {
      return self->state.root.empty() ? std::string() : read_soul(self->state.root);
    },
  };
}

} // namespace parley
