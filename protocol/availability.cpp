#include "protocol/availability.hpp"

#include "protocol/day_words.hpp"
#include "protocol/time_zone.hpp"

#include <algorithm>

namespace parley {

int peak_overlap(int64_t start_ms, int64_t end_ms, const std::vector<booked_span>& taken) {
  // A sweep over the overlapping bookings' edges inside [start, end).
  std::vector<std::pair<int64_t, int>> edges;
  for (auto& t : taken)
    if (t.start_ms < end_ms && start_ms < t.end_ms) {
      edges.emplace_back(std::max(t.start_ms, start_ms), +1);
      edges.emplace_back(std::min(t.end_ms, end_ms), -1);
    }
  // An end before a start at the same instant: back-to-back is no overlap.
  std::sort(edges.begin(), edges.end());
  int now = 0, peak = 0;
  for (auto& [at, step] : edges)
    peak = std::max(peak, now += step);
  return peak;
}

std::string check_slot(const business_config& b, const std::string& zone, int64_t now_ms,
                       const service_offer& s, int64_t start_ms,
                       const std::vector<booked_span>& taken) {
  auto date = tz::local_date(zone, start_ms);
  if (std::find(b.closed.begin(), b.closed.end(), date) != b.closed.end())
    return "closed";
  auto start = clock_minutes(tz::local_time(zone, start_ms));
  if (start_ms % 60000 != 0 || start % b.slot_minutes != 0)
    return "not_aligned";
  if (start_ms < now_ms + int64_t{b.min_notice_minutes} * 60000)
    return "too_soon";
  if (date > tz::add_days(tz::local_date(zone, now_ms), b.horizon_days))
    return "beyond_horizon";
  auto& spans = b.hours[static_cast<size_t>(tz::weekday(date))];
  if (spans.empty())
    return "closed";
  // Opening hours are wall-clock times: a 30-minute service at 17:45 needs
  // the day to stay open until 18:15, whatever the clocks do that night.
  bool inside = false;
  for (auto& span : spans) {
    if (start < span.from || start >= span.to)
      continue;
    inside = true;
    if (start + s.minutes <= span.to) {
      auto end_ms = start_ms + int64_t{s.minutes} * 60000;
      return peak_overlap(start_ms, end_ms, taken) < b.max_concurrent ? "" : "slot_unavailable";
    }
  }
  return inside ? "too_long" : "outside_hours";
}

std::vector<int64_t> free_slots(const business_config& b, const std::string& zone,
                                int64_t now_ms, const service_offer& s,
                                const std::string& from_date, const std::string& to_date,
                                const std::vector<booked_span>& taken, size_t limit) {
  std::vector<int64_t> out;
  auto last = std::min(to_date, tz::add_days(tz::local_date(zone, now_ms), b.horizon_days));
  for (auto date = from_date; date <= last && out.size() < limit; date = tz::add_days(date, 1))
    for (auto& span : b.hours[static_cast<size_t>(tz::weekday(date))])
      for (int m = span.from + (b.slot_minutes - span.from % b.slot_minutes) % b.slot_minutes;
           m + s.minutes <= span.to && out.size() < limit; m += b.slot_minutes) {
        auto at = tz::instant_of(zone, date, clock_text(m));
        // A wall-clock time the clocks skip (or repeat) is not offered.
        if (tz::local_time(zone, at) == clock_text(m) && check_slot(b, zone, now_ms, s, at, taken).empty())
          out.push_back(at);
      }
  return out;
}

std::string refusal_sentence(const std::string& code, const std::string& lang) {
  bool nl = lang == "nl";
  if (code == "outside_hours")
    return nl ? "Dat tijdstip valt buiten de openingstijden." : "That time is outside the opening hours.";
  if (code == "closed")
    return nl ? "Op die dag zijn we gesloten." : "We are closed on that day.";
  if (code == "too_soon")
    return nl ? "Dat is te kort van tevoren." : "That is too short notice.";
  if (code == "beyond_horizon")
    return nl ? "Zo ver vooruit kan nog niet geboekt worden." : "That is too far ahead to book yet.";
  if (code == "not_aligned")
    return nl ? "Afspraken beginnen alleen op de vaste tijdvakken." : "Appointments start only on the fixed time slots.";
  if (code == "too_long")
    return nl ? "De behandeling past niet meer voor sluitingstijd." : "The service does not fit before closing time.";
  if (code == "slot_unavailable")
    return nl ? "Dat tijdstip is al vol." : "That time is already fully booked.";
  if (code == "not_found")
    return nl ? "Die afspraak bestaat niet." : "There is no such appointment.";
  return code;
}

} // namespace parley
