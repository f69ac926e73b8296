#pragma once

// What the owner reads about actions: the approval request, the outcome of a
// command, and the answers to approval replies, in Dutch or English.

#include "protocol/types.hpp"

#include <string>

namespace parley {

/// Asks the owner to approve `summary` (exactly what will run).
std::string approval_prompt(const std::string& lang, int64_t id,
                            const std::string& summary);

/// The outcome of a command: exit status and (the tail of) its output,
/// at most `max_chars` of output.
std::string shell_report(const std::string& lang, const std::string& summary,
                         const shell_outcome& outcome, size_t max_chars = 3000);

/// A refused request, with the reason.
std::string denied_reply(const std::string& lang, const std::string& summary,
                         const std::string& reason);

} // namespace parley
