#pragma once

// When a tenant's morning brief fires: every day at `brief_at` local time,
// as a cron schedule run by the same scheduler as the configured schedules;
// a brief missed while parley was down still goes out on the same morning,
// until `catch_up_until`.

#include <cstdint>
#include <string>

namespace parley::brief {

/// The cron expression of a daily brief at `brief_at` ("07:00" -> "0 7 * * *").
std::string cron_of(const std::string& brief_at);

/// Until when the brief for the local `date` may still go out late: the
/// catch-up time that day, or midnight when the brief itself is later.
int64_t catch_up_end(const std::string& zone, const std::string& date,
                     const std::string& brief_at, const std::string& catch_up_until);

} // namespace parley::brief
