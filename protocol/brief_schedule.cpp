#include "protocol/brief_schedule.hpp"

#include "protocol/time_zone.hpp"

#include <algorithm>

namespace parley::brief {

std::string cron_of(const std::string& brief_at) {
  // The config checked the form HH:MM; the numbers lose their zeros.
  auto hours = std::stoi(brief_at.substr(0, 2));
  auto minutes = std::stoi(brief_at.substr(3, 2));
  return std::to_string(minutes) + " " + std::to_string(hours) + " * * *";
}

int64_t catch_up_end(const std::string& zone, const std::string& date,
                     const std::string& brief_at, const std::string& catch_up_until) {
  auto until = tz::instant_of(zone, date, catch_up_until);
  if (brief_at >= catch_up_until)
    until = std::max(until, tz::instant_of(zone, tz::add_days(date, 1), "00:00"));
  return until;
}

} // namespace parley::brief
