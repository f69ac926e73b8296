#include "actors/connectors/calendar_events.hpp"

#include "actors/connectors/google_tokens.hpp"
#include "actors/connectors/sources.hpp"
#include "net/http_client.hpp"
#include "protocol/base64.hpp"
#include "protocol/caldav.hpp"
#include "protocol/google_api.hpp"
#include "protocol/ical.hpp"

namespace parley {

std::vector<calendar_event> google_events(google_tokens& tokens, const std::string& api_url,
                                          const std::string& calendar_id, int64_t from_ms,
                                          int64_t to_ms, const std::string& zone,
                                          int timeout_ms, std::string& error) {
  auto res = tokens.get(api_url + google::events_target(calendar_id, from_ms, to_ms, zone), error);
  if (!error.empty())
    return {};
  if (res.status != 200) {
    error = describe_failure("Google Calendar",
                             outcome_of(res, timeout_ms, google::error_message(res.body)), "");
    return {};
  }
  auto parsed = google::parse_events(res.body, zone);
  if (!parsed.error.empty()) {
    error = "Google Calendar sent an unreadable answer: " + parsed.error;
    return {};
  }
  return std::move(parsed.events);
}

std::pair<std::string, std::string> dav_authorization(const calendar_source& cal) {
  if (cal.username.empty())
    return {};
  return {"Authorization", "Basic " + base64_encode(cal.username + ":" + cal.password)};
}

std::vector<calendar_event> dav_events(net::http_client& http, const calendar_source& cal,
                                       int64_t from_ms, int64_t to_ms, const std::string& zone,
                                       int timeout_ms, const std::string& credential_key,
                                       std::string& error) {
  net::client_request req;
  req.timeout = std::chrono::milliseconds(timeout_ms);
  req.url = cal.url;
  bool caldav = cal.provider == "caldav";
  auto server = caldav ? std::string("the CalDAV server") : std::string("the ICS feed");
  if (caldav) {
    req.method = "REPORT";
    req.body = caldav::calendar_query(from_ms, to_ms);
    req.repeatable = true;  // a read
    req.headers = {{"Depth", "1"}, {"Content-Type", "application/xml; charset=utf-8"}};
    if (auto auth = dav_authorization(cal); !auth.first.empty())
      req.headers.push_back(std::move(auth));
  } else {
    req.method = "GET";
  }
  auto res = http.send(req);
  if (res.status != (caldav ? 207 : 200)) {
    error = describe_failure(server, outcome_of(res, timeout_ms), caldav ? credential_key : "");
    return {};
  }
  std::vector<calendar_event> events;
  auto texts = caldav ? caldav::calendar_data(res.body) : std::vector<std::string>{res.body};
  for (auto& text : texts) {
    auto parsed = ical::events_between(text, from_ms, to_ms, zone);
    if (!parsed.error.empty()) {
      error = server + " sent calendar data parley cannot read: " + parsed.error;
      return {};
    }
    events.insert(events.end(), parsed.events.begin(), parsed.events.end());
  }
  return events;
}

} // namespace parley
