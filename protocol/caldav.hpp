#pragma once

// CalDAV (RFC 4791): the calendar-query REPORT for a time range, and the
// calendar data in its 207 Multi-Status answer.

#include <cstdint>
#include <string>
#include <vector>

namespace parley::caldav {

/// The REPORT body asking for the VEVENTs that overlap [from_ms, to_ms).
/// Servers return recurring events unexpanded (Radicale ignores <expand>),
/// so the caller expands them.
std::string calendar_query(int64_t from_ms, int64_t to_ms);

/// The iCalendar texts in a multistatus body (every `calendar-data` element,
/// whatever its namespace prefix, XML entities and CDATA decoded).
std::vector<std::string> calendar_data(const std::string& multistatus);

/// "20261201T230000Z", CalDAV's UTC time format.
std::string utc_stamp(int64_t ms);

} // namespace parley::caldav
