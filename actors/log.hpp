#pragma once

// One line per event on stderr: a UTC timestamp, a level and the sentence,
// as text or (log_format "json") as one JSON object a line; a line about a
// run carries its id (the run /api/runs/{id} shows). Phone numbers are
// hashed by the callers; message text is logged only when the
// configuration's log_text is on.

#include <cstdint>
#include <string>

namespace parley::log {

enum class format { text, json };

/// Set once at start-up, before the actors run.
void set_format(format f);

/// `run`: the run the line is about; 0 for none.
void info(const std::string& line, int64_t run = 0);
void warn(const std::string& line, int64_t run = 0);
void error(const std::string& line, int64_t run = 0);

/// A short, stable pseudonym for a phone number.
std::string who(const std::string& phone);

} // namespace parley::log
