// The tenant's calendar for one local day: a CalDAV collection (a
// calendar-query REPORT with a time range) or a read-only ICS feed; recurring
// events are expanded here, since servers return them unexpanded.

#include "actors/connectors/sources.hpp"

#include "actors/connectors/google_tokens.hpp"
#include "net/http_client.hpp"
#include "protocol/google_api.hpp"
#include "protocol/base64.hpp"
#include "protocol/caldav.hpp"
#include "protocol/ical.hpp"
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
      auto res = tokens->get(api + google::events_target(calendar_id, from, to, zone), error);
      if (!error.empty())
        return failing_report("calendar", error);
      if (res.status != 200)
        return failing_report("calendar",
                              describe_failure("Google Calendar",
                                               outcome_of(res, timeout, google::error_message(res.body)),
                                               ""));
      auto parsed = google::parse_events(res.body, zone);
      if (!parsed.error.empty())
        return failing_report("calendar", "Google Calendar sent an unreadable answer: " + parsed.error);
      return day_report(std::move(parsed.events), zone, lang);
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
      net::client_request req;
      req.timeout = std::chrono::milliseconds(timeout);
      req.url = cal.url;
      bool caldav = cal.provider == "caldav";
      auto server = caldav ? std::string("the CalDAV server") : std::string("the ICS feed");
      if (caldav) {
        req.method = "REPORT";
        req.body = caldav::calendar_query(from, to);
        req.repeatable = true;  // a read
        req.headers = {{"Depth", "1"}, {"Content-Type", "application/xml; charset=utf-8"}};
        if (!cal.username.empty())
          req.headers.emplace_back("Authorization",
                                   "Basic " + base64_encode(cal.username + ":" + cal.password));
      } else {
        req.method = "GET";
      }
      auto res = http->send(req);
      if (res.status != (caldav ? 207 : 200))
        return failing_report("calendar",
                       describe_failure(server, outcome_of(res, timeout),
                                        caldav ? "tenants[].connectors.calendar.password_env" : ""));
      std::vector<calendar_event> events;
      auto texts = caldav ? caldav::calendar_data(res.body) : std::vector<std::string>{res.body};
      for (auto& text : texts) {
        auto parsed = ical::events_between(text, from, to, zone);
        if (!parsed.error.empty())
          return failing_report("calendar", server + " sent calendar data parley cannot read: "
                                       + parsed.error);
        events.insert(events.end(), parsed.events.begin(), parsed.events.end());
      }
      return day_report(std::move(events), zone, lang);
    };
  };
}

} // namespace parley
