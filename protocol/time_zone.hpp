#pragma once

// Local dates and times in IANA time zones (Debian's tzdata through
// howardhinnant's date library), correct across daylight-saving changes.
// Dates are "YYYY-MM-DD", clock times "HH:MM", instants milliseconds since
// the epoch (UTC).

#include <cstdint>
#include <optional>
#include <string>

namespace parley::tz {

/// Whether `zone` names a time zone of the system's database.
bool valid(const std::string& zone);

/// The local date at `utc_ms` in `zone`.
std::string local_date(const std::string& zone, int64_t utc_ms);

/// The local clock time ("HH:MM") at `utc_ms` in `zone`.
std::string local_time(const std::string& zone, int64_t utc_ms);

/// The instant of local `date` at `hhmm` in `zone`. A time that does not
/// exist (inside a spring-forward gap) is the end of the gap; a time that
/// happens twice (fall back) is its first occurrence.
int64_t instant_of(const std::string& zone, const std::string& date,
                   const std::string& hhmm);

/// `date` moved by `days`.
std::string add_days(const std::string& date, int days);

/// 0 = Monday ... 6 = Sunday.
int weekday(const std::string& date);

/// Whether `text` is a valid "YYYY-MM-DD".
bool is_date(const std::string& text);

/// An RFC 3339 timestamp in UTC ("2026-12-01T07:00:00Z").
std::string rfc3339_utc(int64_t utc_ms);

/// The instant an RFC 3339 timestamp (with Z or an offset) names.
std::optional<int64_t> parse_rfc3339(const std::string& text);

} // namespace parley::tz
