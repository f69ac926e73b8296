#pragma once

// iCalendar (RFC 5545) through Debian's libical: the VEVENTs of a calendar
// text that fall in a time range, recurring events expanded, cancelled ones
// left out. CalDAV servers and ICS feeds both deliver this text.

#include "protocol/live_data.hpp"

#include <string>
#include <vector>

namespace parley::ical {

struct parsed_events {
  std::vector<calendar_event> events;  ///< sorted by start
  std::string error;                   ///< the text is not iCalendar
};

/// Occurrences overlapping [from_ms, to_ms). An all-day event (a DATE) is
/// midnight to midnight in `zone`; a floating time is read in `zone` too.
parsed_events events_between(const std::string& text, int64_t from_ms,
                             int64_t to_ms, const std::string& zone);

/// A VCALENDAR with one VEVENT, for creating an event (CalDAV PUT).
std::string new_event(const std::string& uid, const std::string& summary,
                      int64_t start_ms, int64_t end_ms, const std::string& description = {});

} // namespace parley::ical
