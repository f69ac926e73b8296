// Calendar data from a CalDAV server or an ICS feed anyone may host: the
// multistatus answer, then the iCalendar text through libical with
// recurrences expanded over a day.
#include "protocol/caldav.hpp"
#include "protocol/ical.hpp"
#include "tests/fuzz/check.hpp"

using namespace parley;
using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  // 2026-12-01 in Amsterdam.
  const int64_t from = 1764543600000, to = from + 86400000;
  auto check = [&](const std::string& ics) {
    auto parsed = ical::events_between(ics, from, to, "Europe/Amsterdam");
    for (auto& e : parsed.events) {
      require(e.start_ms < to && e.end_ms > from, "an event overlaps the day asked for");
      require(e.end_ms >= e.start_ms, "an event does not end before it starts");
    }
  };
  check(text);
  for (auto& ics : caldav::calendar_data(text))
    check(ics);
  return 0;
}
