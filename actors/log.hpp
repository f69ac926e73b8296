#pragma once

// One line per event on stderr, with a UTC timestamp and a level. Phone
// numbers are hashed by the callers; message text is logged only when the
// configuration's log_text is on.

#include <string>

namespace parley::log {

void info(const std::string& line);
void warn(const std::string& line);
void error(const std::string& line);

/// A short, stable pseudonym for a phone number.
std::string who(const std::string& phone);

} // namespace parley::log
