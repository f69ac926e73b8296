#pragma once

// Days, months and clock times in words, for what a business says: Dutch
// names in lower case, English ones capitalised; clock times as "HH:MM".

#include <string>

namespace parley {

/// 0 = Monday ... 6 = Sunday.
const char* day_name(int weekday, bool dutch);

/// 1 = January ... 12 = December.
const char* month_name(int month, bool dutch);

/// Minutes after midnight as "HH:MM".
std::string clock_text(int minutes);

/// "HH:MM" (up to "24:00") as minutes after midnight; -1 when it is not one.
int clock_minutes(const std::string& hhmm);

} // namespace parley
