#include "actors/connectors/calendar_writer.hpp"

#include "actors/connectors/sources.hpp"
#include "actors/connectors/google_tokens.hpp"
#include "net/http_client.hpp"
#include "protocol/google_api.hpp"
#include "protocol/url.hpp"

#include <nlohmann/json.hpp>
#include "protocol/base64.hpp"
#include "protocol/ical.hpp"
#include "protocol/time_zone.hpp"

namespace parley {

namespace {

/// Google Calendar's events.insert with an id made from the approval: a
/// repeat gets 409 duplicate, which means it exists already.
write_outcome create_google_event(const config& cfg, const tenant_config& t,
                                  const google_access& access, const std::string& title,
                                  int64_t start, int64_t end, int64_t approval_id) {
  auto id = "prl0" + std::to_string(approval_id);  // base32hex, at least 5 characters
  google_tokens tokens(cfg.apis, cfg.connectors.timeout_ms, t.id, access.conninfo, access.key);
  net::client_request req;
  req.url = cfg.apis.google_api_url + "/calendar/v3/calendars/"
            + url_encode(t.connectors.calendar.calendar_id) + "/events";
  req.body = nlohmann::json{{"id", id}, {"summary", title},
                            {"start", {{"dateTime", tz::rfc3339_utc(start)}}},
                            {"end", {{"dateTime", tz::rfc3339_utc(end)}}}}
               .dump();
  req.headers = {{"Content-Type", "application/json"}};
  std::string error;
  auto res = tokens.send(std::move(req), error);
  if (!error.empty())
    return {false, error};
  if (res.status == 200)
    return {true, "created in Google Calendar as " + id};
  if (res.status == 409)
    return {true, "already created in Google Calendar as " + id};
  return {false, describe_failure("Google Calendar",
                                  outcome_of(res, cfg.connectors.timeout_ms,
                                             google::error_message(res.body)),
                                  "")};
}

} // namespace

write_outcome create_calendar_event(const config& cfg, const tenant_config& t,
                                    const google_access& google,
                                    const std::vector<std::string>& argv,
                                    int64_t approval_id) {
  auto& cal = t.connectors.calendar;
  if (argv.size() != 4)
    return {false, "the event is incomplete"};
  auto start = tz::instant_of(t.timezone, argv[0], argv[1]);
  auto end = start + std::stoll(argv[2]) * 60000;
  if (cal.provider == "google")
    return create_google_event(cfg, t, google, argv[3], start, end, approval_id);
  if (cal.provider != "caldav")
    return {false, "the calendar of this tenant cannot be written to"};
  auto uid = "parley-approval-" + std::to_string(approval_id);
  auto url = cal.url + (cal.url.back() == '/' ? "" : "/") + uid + ".ics";
  net::http_client http;
  net::client_request req;
  req.method = "PUT";
  req.url = url;
  req.body = ical::new_event(uid + "@parley", argv[3], start, end);
  req.timeout = std::chrono::milliseconds(cfg.connectors.timeout_ms);
  req.headers = {{"Content-Type", "text/calendar; charset=utf-8"},
                 // Never overwrite: a repeat of this approval finds its event.
                 {"If-None-Match", "*"}};
  if (!cal.username.empty())
    req.headers.emplace_back("Authorization",
                             "Basic " + base64_encode(cal.username + ":" + cal.password));
  auto res = http.send(req);
  if (res.status == 201 || res.status == 204 || res.status == 200)
    return {true, "created as " + uid};
  if (res.status == 412)
    return {true, "already created as " + uid};
  return {false, describe_failure("the CalDAV server", outcome_of(res, cfg.connectors.timeout_ms),
                                  "tenants[].connectors.calendar.password_env")};
}

} // namespace parley
