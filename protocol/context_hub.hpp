#pragma once

// The context hub: a folder of markdown files in six tiers (identity,
// inbox, areas, projects, knowledge, archive) that the owner's agent reads
// tier by tier: every folder's one-line abstract, a folder's overview, a
// file, a search. Pure: the paths asked for are checked and normalised
// here; the files are read by the hub's connector.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace parley::context {

/// The six folders, in the order the abstracts list them.
extern const std::vector<std::string> folders;

/// A path the model asked for, relative to the hub: normalised ("./a//b"
/// is "a/b"), or nothing with `why` when it is empty, absolute, contains
/// "..", a backslash or a control character, or is over 512 bytes.
std::optional<std::string> clean_path(const std::string& asked, std::string& why);

/// Whether `path` (clean) lies in archive/: read only when asked by name,
/// never listed in the abstracts or found by a search.
bool archived(const std::string& path);

/// A rough token count (four bytes a token), as budgets are meant.
size_t tokens(const std::string& text);

/// "folder: abstract" lines within `budget` tokens; when over, the lines
/// that fit and a note saying how many were left out.
std::string abstracts(const std::vector<std::pair<std::string, std::string>>& by_folder,
                      size_t budget);

/// How well a file matches the search `words` (any case): three for each
/// word in its path, one for each occurrence in its text; 0 for none.
size_t score(const std::vector<std::string>& words, const std::string& path,
             const std::string& text);

/// The words of a search, lower case, at most eight, each at least two bytes.
std::vector<std::string> search_words(const std::string& query);

/// A saved idea's file name in inbox/: its UTC time and the first words.
std::string idea_file_name(const std::string& text, const std::string& utc_stamp);

} // namespace parley::context
