// Cron expressions: every field form, the errors that name their field, and
// the next firing across both daylight-saving changes and 29 February.
#define CAF_SUITE cron
#include "protocol/cron.hpp"
#include "protocol/time_zone.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

using namespace parley;

namespace {

cron::schedule parsed(const std::string& expr) {
  std::string error;
  auto s = cron::parse(expr, error);
  CAF_CHECK_EQUAL(error, "");
  CAF_REQUIRE(s.has_value());
  return *s;
}

std::string error_of(const std::string& expr) {
  std::string error;
  auto s = cron::parse(expr, error);
  return s ? "" : error;
}

/// The next firing after the UTC instant `utc` ("2026-03-29T00:59:00Z"), as
/// an RFC 3339 UTC instant.
std::string next(const std::string& expr, const std::string& zone, const std::string& utc) {
  auto at = cron::next_after(parsed(expr), zone, *tz::parse_rfc3339(utc));
  return at ? tz::rfc3339_utc(*at) : "never";
}

const std::string ams = "Europe/Amsterdam";

} // namespace

CAF_TEST(every field form is read) {
  auto s = parsed("*/15 9-17/4 1,15,31 JAN-mar,dec sun,6");
  CAF_CHECK_EQUAL(s.minutes.count(), 4u);
  CAF_CHECK(s.minutes[0] && s.minutes[15] && s.minutes[30] && s.minutes[45]);
  CAF_CHECK_EQUAL(s.hours.count(), 3u);  // 9, 13, 17
  CAF_CHECK(s.hours[9] && s.hours[13] && s.hours[17]);
  CAF_CHECK(s.days[1] && s.days[15] && s.days[31] && !s.days[2]);
  CAF_CHECK(s.months[1] && s.months[2] && s.months[3] && s.months[12] && !s.months[4]);
  CAF_CHECK(s.weekdays[0] && s.weekdays[6] && !s.weekdays[1]);
  CAF_CHECK(!s.any_day && !s.any_weekday);
  auto t = parsed("5/20 0 * * 7");  // a/n: from a to the end; 7 is Sunday
  CAF_CHECK(t.minutes[5] && t.minutes[25] && t.minutes[45] && !t.minutes[0]);
  CAF_CHECK(t.weekdays[0]);
  CAF_CHECK(t.any_day && !t.any_weekday);
  CAF_CHECK_EQUAL(parsed("  0   9 * * TUE ").weekdays.count(), 1u);
}

CAF_TEST(a bad expression names its field and what is wrong) {
  CAF_CHECK_EQUAL(error_of("0 9 * *"), "a cron expression has 5 fields (minute hour"
                                       " day-of-month month day-of-week), not 4");
  CAF_CHECK_EQUAL(error_of("60 9 * * *"), "minute field '60': values run from 0 to 59");
  CAF_CHECK_EQUAL(error_of("0 24 * * *"), "hour field '24': values run from 0 to 23");
  CAF_CHECK_EQUAL(error_of("0 9 0 * *"), "day of month field '0': values run from 1 to 31");
  CAF_CHECK_EQUAL(error_of("0 9 * 13 *"), "month field '13': values run from 1 to 12");
  CAF_CHECK_EQUAL(error_of("0 9 * * 8"), "day of week field '8': values run from 0 to 7");
  CAF_CHECK_EQUAL(error_of("0 9 * * MONDAY"), "day of week field 'MONDAY': 'MONDAY' is not a valid day of week");
  CAF_CHECK_EQUAL(error_of("0 9 * JAN-XYZ *"), "month field 'JAN-XYZ': 'XYZ' is not a valid month");
  CAF_CHECK_EQUAL(error_of("*/0 9 * * *"), "minute field '*/0': a step must be at least 1");
  CAF_CHECK_EQUAL(error_of("0 17-9 * * *"), "hour field '17-9': a range must run upwards");
  CAF_CHECK_EQUAL(error_of("0 9,,10 * * *"), "hour field '9,,10': an empty list item");
  CAF_CHECK_EQUAL(error_of("0 9 * * MON/x"), "day of week field 'MON/x': the step after '/' must be a number");
  CAF_CHECK_EQUAL(error_of("0 mon * * *"), "hour field 'mon': 'mon' is not a valid hour");
}

CAF_TEST(the next firing is local wall-clock time) {
  // Tuesday 8 December 2026, 09:00 in Amsterdam is 08:00 UTC (winter).
  CAF_CHECK_EQUAL(next("0 9 * * TUE", ams, "2026-12-07T12:00:00Z"), "2026-12-08T08:00:00Z");
  CAF_CHECK_EQUAL(next("0 9 * * TUE", ams, "2026-12-08T08:00:00Z"), "2026-12-15T08:00:00Z");
  // Strictly after: a firing at the very instant is the previous one.
  CAF_CHECK_EQUAL(next("*/15 * * * *", "UTC", "2026-12-07T12:15:00Z"), "2026-12-07T12:30:00Z");
  // Day of month OR day of week when both are restricted: the 1st (a
  // Tuesday) and every Friday.
  CAF_CHECK_EQUAL(next("0 0 1 * FRI", "UTC", "2026-11-28T00:00:00Z"), "2026-12-01T00:00:00Z");
  CAF_CHECK_EQUAL(next("0 0 1 * FRI", "UTC", "2026-12-01T00:00:00Z"), "2026-12-04T00:00:00Z");
}

CAF_TEST(spring forward: a skipped time fires once when the clocks jump) {
  // 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC).
  CAF_CHECK_EQUAL(next("30 2 * * *", ams, "2026-03-28T23:00:00Z"), "2026-03-29T01:00:00Z");
  CAF_CHECK_EQUAL(next("30 2 * * *", ams, "2026-03-29T01:00:00Z"), "2026-03-30T00:30:00Z");
  // Every quarter of the skipped hour: one firing, not four.
  CAF_CHECK_EQUAL(next("*/15 2 * * *", ams, "2026-03-29T00:59:00Z"), "2026-03-29T01:00:00Z");
  CAF_CHECK_EQUAL(next("*/15 2 * * *", ams, "2026-03-29T01:00:00Z"), "2026-03-30T00:00:00Z");
  // 09:00 after the change is 07:00 UTC.
  CAF_CHECK_EQUAL(next("0 9 * * *", ams, "2026-03-28T09:00:00Z"), "2026-03-29T07:00:00Z");
}

CAF_TEST(fall back: a repeated time fires once at its first occurrence) {
  // 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 happens at 00:30
  // and again at 01:30 UTC.
  CAF_CHECK_EQUAL(next("30 2 * * *", ams, "2026-10-24T23:00:00Z"), "2026-10-25T00:30:00Z");
  CAF_CHECK_EQUAL(next("30 2 * * *", ams, "2026-10-25T00:30:00Z"), "2026-10-26T01:30:00Z");
  // Hourly across the change: 02:00 once, then 03:00 CET.
  CAF_CHECK_EQUAL(next("0 * * * *", ams, "2026-10-25T00:00:00Z"), "2026-10-25T02:00:00Z");
}

CAF_TEST(29 February fires in leap years only and 30 February never fires) {
  CAF_CHECK_EQUAL(next("0 12 29 2 *", "UTC", "2026-12-07T00:00:00Z"), "2028-02-29T12:00:00Z");
  CAF_CHECK_EQUAL(next("0 12 29 2 *", "UTC", "2028-02-29T12:00:00Z"), "2032-02-29T12:00:00Z");
  CAF_CHECK_EQUAL(next("0 0 30 2 *", "UTC", "2026-12-07T00:00:00Z"), "never");
}
