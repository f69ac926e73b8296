#include "actors/connectors/calendar_writer.hpp"

#include "actors/connectors/sources.hpp"
#include "net/http_client.hpp"
#include "protocol/base64.hpp"
#include "protocol/ical.hpp"
#include "protocol/time_zone.hpp"

namespace parley {

write_outcome create_calendar_event(const config& cfg, const tenant_config& t,
                                    const std::vector<std::string>& argv,
                                    int64_t approval_id) {
  auto& cal = t.connectors.calendar;
  if (cal.provider != "caldav")
    return {false, "the calendar of this tenant cannot be written to"};
  if (argv.size() != 4)
    return {false, "the event is incomplete"};
  auto start = tz::instant_of(t.timezone, argv[0], argv[1]);
  auto end = start + std::stoll(argv[2]) * 60000;
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
