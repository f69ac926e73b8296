#pragma once

// Five-field cron expressions (minute, hour, day of month, month, day of
// week) and their next firing in a time zone. Pure: no I/O, no clock.
//
// Each field takes `*`, numbers, ranges `a-b`, steps `*/n`, `a-b/n` and
// `a/n`, and lists of these; months and weekdays also take English names
// (JAN…DEC, SUN…SAT, any case); Sunday is 0 or 7. When both the day of the
// month and the day of the week are restricted, a day matching either fires
// (as in every cron since Vixie's).
//
// Firings are local wall-clock times: a time that a spring-forward change
// skips fires once, when the clocks jump; a time that a fall-back change
// repeats fires once, at its first occurrence.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

namespace parley::cron {

struct schedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      ///< 1…31
  std::bitset<13> months;    ///< 1…12
  std::bitset<7> weekdays;   ///< 0 = Sunday … 6 = Saturday
  bool any_day = true;       ///< the day-of-month field is `*`
  bool any_weekday = true;   ///< the day-of-week field is `*`
};

/// The schedule `expr` describes, or nothing with `error` naming the field
/// and what is wrong with it.
std::optional<schedule> parse(const std::string& expr, std::string& error);

/// The first firing strictly after `after_ms` (UTC) in `zone`; nothing when
/// none falls within the next eight years (say, "0 0 30 2 *").
std::optional<int64_t> next_after(const schedule& s, const std::string& zone,
                                  int64_t after_ms);

} // namespace parley::cron
