#include "protocol/ical.hpp"

#include "protocol/time_zone.hpp"

#include <libical/ical.h>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace parley::ical {

namespace {

struct component_deleter {
  void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using component_ptr = std::unique_ptr<icalcomponent, component_deleter>;

std::string two(int n) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", n);
  return buf;
}

std::string date_of(const icaltimetype& t) {
  return std::to_string(t.year) + "-" + two(t.month) + "-" + two(t.day);
}

/// The instant of a DATE-TIME: UTC, its TZID (from a VTIMEZONE or the
/// system's zone database), or floating (read in the tenant's zone).
int64_t instant(icaltimetype t, const char* tzid, const std::string& zone) {
  if (icaltime_is_utc(t))
    return static_cast<int64_t>(icaltime_as_timet(t)) * 1000;
  if (t.zone)
    return static_cast<int64_t>(icaltime_as_timet_with_zone(t, t.zone)) * 1000;
  std::string z = tzid && tz::valid(tzid) ? tzid : zone;
  return tz::instant_of(z, date_of(t), two(t.hour) + ":" + two(t.minute)) + t.second * 1000;
}

const char* tzid_of(icalcomponent* ev, icalproperty_kind kind) {
  auto* p = icalcomponent_get_first_property(ev, kind);
  if (!p)
    return nullptr;
  auto* param = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
  return param ? icalparameter_get_tzid(param) : nullptr;
}

/// Days between two DATEs (an all-day event's length).
int days_between(const icaltimetype& a, const icaltimetype& b) {
  return static_cast<int>((icaltime_as_timet(b) - icaltime_as_timet(a)) / 86400);
}

/// Expands an event in wall-clock time (RRULE occurrences keep their local
/// time across daylight-saving changes), then places each occurrence in its
/// zone.
void expand(icalcomponent* ev, int64_t from_ms, int64_t to_ms,
            const std::string& zone, std::vector<calendar_event>& out, int& budget) {
  if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
    return;
  auto dtstart = icalcomponent_get_dtstart(ev);
  if (icaltime_is_null_time(dtstart))
    return;
  auto dtend = icalcomponent_get_dtend(ev);
  auto* start_tzid = tzid_of(ev, ICAL_DTSTART_PROPERTY);
  calendar_event proto;
  if (auto* s = icalcomponent_get_summary(ev))
    proto.summary = s;
  if (auto* l = icalcomponent_get_location(ev))
    proto.location = l;
  if (auto* u = icalcomponent_get_uid(ev))
    proto.uid = u;
  if (auto* t = icalcomponent_get_first_property(ev, ICAL_TRANSP_PROPERTY))
    proto.busy = icalproperty_get_transp(t) != ICAL_TRANSP_TRANSPARENT;
  proto.all_day = dtstart.is_date;
  int days = 1;
  int64_t duration_ms = 0;
  if (proto.all_day) {
    if (!icaltime_is_null_time(dtend) && dtend.is_date)
      days = std::max(1, days_between(dtstart, dtend));
  } else if (!icaltime_is_null_time(dtend)) {
    duration_ms = std::max<int64_t>(0, instant(dtend, tzid_of(ev, ICAL_DTEND_PROPERTY), zone)
                                         - instant(dtstart, start_tzid, zone));
  }
  std::vector<int64_t> excluded;
  for (auto* p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); p;
       p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY)) {
    auto t = icalproperty_get_exdate(p);
    excluded.push_back(t.is_date ? tz::instant_of(zone, date_of(t), "00:00")
                                 : instant(t, start_tzid, zone));
  }
  // Returns false once occurrences start after the range.
  auto add = [&](const icaltimetype& t) {
    calendar_event e = proto;
    if (e.all_day) {
      e.start_ms = tz::instant_of(zone, date_of(t), "00:00");
      e.end_ms = tz::instant_of(zone, tz::add_days(date_of(t), days), "00:00");
    } else {
      e.start_ms = instant(t, start_tzid, zone);
      e.end_ms = e.start_ms + duration_ms;
    }
    if (e.start_ms >= to_ms)
      return false;
    bool is_excluded = std::find(excluded.begin(), excluded.end(), e.start_ms)
                       != excluded.end();
    if (e.end_ms > from_ms && !is_excluded)
      out.push_back(std::move(e));
    return true;
  };
  auto* rrule = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
  if (!rrule) {
    add(dtstart);
    return;
  }
  auto* it = icalrecur_iterator_new(icalproperty_get_rrule(rrule), dtstart);
  if (!it)
    return;
  // A daily event since 1990 is ~13,000 steps; the budget (shared by the
  // whole calendar) guards against rules that never reach the range, such
  // as a secondly one from 1900.
  while (budget-- > 0) {
    auto t = icalrecur_iterator_next(it);
    if (icaltime_is_null_time(t) || !add(t))
      break;
  }
  icalrecur_iterator_free(it);
}

} // namespace

parsed_events events_between(const std::string& text, int64_t from_ms,
                             int64_t to_ms, const std::string& zone) {
  parsed_events out;
  component_ptr root(icalparser_parse_string(text.c_str()));
  if (!root) {
    out.error = "the calendar data is not iCalendar";
    return out;
  }
  auto kind = icalcomponent_isa(root.get());
  int budget = 100000;
  if (kind == ICAL_VEVENT_COMPONENT) {
    expand(root.get(), from_ms, to_ms, zone, out.events, budget);
  } else if (kind == ICAL_VCALENDAR_COMPONENT) {
    for (auto* ev = icalcomponent_get_first_component(root.get(), ICAL_VEVENT_COMPONENT);
         ev; ev = icalcomponent_get_next_component(root.get(), ICAL_VEVENT_COMPONENT))
      // A RECURRENCE-ID marks an override of one occurrence: the master
      // event's expansion already stands for it.
      if (!icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY))
        expand(ev, from_ms, to_ms, zone, out.events, budget);
  } else {
    out.error = "the calendar data holds no VCALENDAR";
  }
  std::sort(out.events.begin(), out.events.end(),
            [](auto& a, auto& b) { return a.start_ms < b.start_ms; });
  return out;
}

std::string new_event(const std::string& uid, const std::string& summary,
                      int64_t start_ms, int64_t end_ms, const std::string& description) {
  auto utc = icaltimezone_get_utc_timezone();
  component_ptr cal(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
  icalcomponent_add_property(cal.get(), icalproperty_new_version("2.0"));
  icalcomponent_add_property(cal.get(), icalproperty_new_prodid("-//parley//EN"));
  auto* ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
  icalcomponent_add_property(ev, icalproperty_new_uid(uid.c_str()));
  icalcomponent_add_property(ev, icalproperty_new_summary(summary.c_str()));
  if (!description.empty())
    icalcomponent_add_property(ev, icalproperty_new_description(description.c_str()));
  icalcomponent_add_property(
    ev, icalproperty_new_dtstamp(icaltime_current_time_with_zone(utc)));
  icalcomponent_add_property(
    ev, icalproperty_new_dtstart(icaltime_from_timet_with_zone(start_ms / 1000, 0, utc)));
  icalcomponent_add_property(
    ev, icalproperty_new_dtend(icaltime_from_timet_with_zone(end_ms / 1000, 0, utc)));
  icalcomponent_add_component(cal.get(), ev);
  return icalcomponent_as_ical_string(cal.get());
}

} // namespace parley::ical
