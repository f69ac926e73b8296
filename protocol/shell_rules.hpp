#pragma once

// The shell connector's rules, in order: metacharacters are never
// interpreted (a request containing them is denied); a blocklist is always
// denied; an allowlist of read-only commands runs without approval;
// everything else needs the owner's approval. Pure: no process is started
// here, the caller runs the argv this returns.

#include <string>
#include <string_view>
#include <vector>

namespace parley {

enum class shell_verdict_kind { allow, needs_approval, deny };

struct shell_verdict {
  shell_verdict_kind kind = shell_verdict_kind::deny;
  std::vector<std::string> argv;  ///< the exact words to run (not deny)
  std::string reason;             ///< a sentence for the user
};

/// The default allowlist: read-only commands.
std::vector<std::string> default_shell_allowlist();

/// Judges a command line as typed after `shell:`. `allow` holds entries such
/// as "git status": a request is allowlisted when its words start with an
/// entry's words and no further word asks for writing or configuration.
shell_verdict judge_shell(std::string_view line,
                          const std::vector<std::string>& allow);

/// Splits a command line into words: blanks separate, '…' and "…" group, no
/// expansion of any kind. Empty on unbalanced quotes (`ok` false).
std::vector<std::string> split_words(std::string_view line, bool& ok);

/// The words as one line for display, quoting words that contain blanks.
std::string join_words(const std::vector<std::string>& argv);

} // namespace parley
