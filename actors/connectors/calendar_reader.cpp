// The tenant's calendar for one local day: a CalDAV collection (a
// calendar-query REPORT with a time range) or a read-only ICS feed; recurring
// events are expanded here, since servers return them unexpanded.

#include "actors/connectors/sources.hpp"

#include "actors/connectors/calendar_events.hpp"
#include "actors/connectors/google_tokens.hpp"
#include "net/http_client.hpp"
#include "protocol/live_text.hpp"
#include "protocol/time_zone.hpp"

#include <algorithm>

namespace parley {

namespace {

constexpr size_t max_priorities = 2;  ///< the day's first meetings

/// The day's lines and the first meetings as priorities.
connector_report day_report(std::vector<calendar_event> events, const std::string& zone,
                            const std::string& lang) {
  std::stable_sort(events.begin(), events.end(),
                   [](auto& a, auto& b) { return a.start_ms < b.start_ms; });
  auto r = ok_report("calendar");
  for (auto& e : events) {
    r.lines.push_back(event_line(e, zone, lang));
    if (!e.all_day && r.priorities.size() < max_priorities)
      r.priorities.push_back(tz::local_time(zone, e.start_ms) + " " + e.summary);
  }
  return r;
}

/// Google Calendar's events.list; a 401 refreshes the access token once.
source_factory google_calendar(const config& cfg, const tenant_config& t,
                               const google_access& access) {
  auto timeout = cfg.connectors.timeout_ms;
  auto api = cfg.apis.google_api_url;
  auto calendar_id = t.connectors.calendar.calendar_id;
  auto zone = t.timezone;
  auto lang = t.language;
  auto tenant = t.id;
  auto apis = cfg.apis;
  return [=] {
    auto tokens = std::make_shared<google_tokens>(apis, timeout, tenant, access.conninfo, access.key);
    return [=](const std::string&, const std::string& date) {
      auto from = tz::instant_of(zone, date, "00:00");
      auto to = tz::instant_of(zone, tz::add_days(date, 1), "00:00");
      std::string error;
      auto events = google_events(*tokens, api, calendar_id, from, to, zone, timeout, error);
      if (!error.empty())
        return failing_report("calendar", error);
      return day_report(std::move(events), zone, lang);
    };
  };
}

} // namespace

source_factory calendar_reader(const config& cfg, const tenant_config& t,
                               const google_access& google) {
  if (t.connectors.calendar.provider == "google")
    return google_calendar(cfg, t, google);
  auto timeout = cfg.connectors.timeout_ms;
  auto cal = t.connectors.calendar;
  auto zone = t.timezone;
  auto lang = t.language;
  return [=] {
    auto http = std::make_shared<net::http_client>();
    return [=](const std::string&, const std::string& date) {
      auto from = tz::instant_of(zone, date, "00:00");
      auto to = tz::instant_of(zone, tz::add_days(date, 1), "00:00");
      std::string error;
      auto events = dav_events(*http, cal, from, to, zone, timeout,
                               "tenants[].connectors.calendar.password_env", error);
      if (!error.empty())
        return failing_report("calendar", error);
      return day_report(std::move(events), zone, lang);
    };
  };
}

} // namespace parley
