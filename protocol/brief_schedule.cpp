#include "protocol/brief_schedule.hpp"

#include "protocol/time_zone.hpp"

#include <algorithm>

namespace parley::brief {

due_check check_due(int64_t now_ms, const std::string& zone,
                    const std::string& brief_at, const std::string& catch_up_until,
                    const std::string& last_date) {
  due_check out;
  auto today = tz::local_date(zone, now_ms);
  auto fire = tz::instant_of(zone, today, brief_at);
  // A brief set after the catch-up time may still go out until midnight.
  auto until = std::max(tz::instant_of(zone, today, catch_up_until),
                        brief_at >= catch_up_until
                          ? tz::instant_of(zone, tz::add_days(today, 1), "00:00")
                          : fire);
  out.date = today;
  if (now_ms >= fire && now_ms < until && last_date < today) {
    out.due = true;
    out.next_ms = now_ms;
    return out;
  }
  out.next_ms = now_ms < fire ? fire : tz::instant_of(zone, tz::add_days(today, 1), brief_at);
  return out;
}

} // namespace parley::brief
