#include "actors/business/booking_calendar.hpp"

#include "actors/connectors/calendar_events.hpp"
#include "actors/connectors/google_tokens.hpp"
#include "net/http_client.hpp"
#include "protocol/booking_entry.hpp"
#include "protocol/google_api.hpp"
#include "protocol/ical.hpp"
#include "protocol/time_zone.hpp"
#include "protocol/url.hpp"

#include <nlohmann/json.hpp>

namespace parley {

namespace {

const char* caldav_credential = "tenants[].business.calendar.password_env";

std::vector<booked_span> busy_spans(const std::vector<calendar_event>& events, int places) {
  std::vector<booked_span> out;
  for (auto& e : events)
    if (e.busy && !is_booking_entry(e.uid))
      // The owner's own appointment takes every place at that time.
      for (int i = 0; i < places; ++i)
        out.push_back({e.start_ms, e.end_ms});
  return out;
}

} // namespace

booking_calendar::booking_calendar(const config& cfg, const tenant_config& t,
                                   const google_access& google)
  : cal_(t.business.calendar), zone_(t.timezone), language_(t.language),
    api_url_(cfg.apis.google_api_url), timeout_ms_(cfg.connectors.timeout_ms) {
  if (cal_.provider == "google")
    tokens_ = std::make_unique<google_tokens>(cfg.apis, timeout_ms_, t.id, google.conninfo,
                                              google.key);
  else
    http_ = std::make_unique<net::http_client>();
  places_ = t.business.max_concurrent;
}

booking_calendar::~booking_calendar() = default;

bool booking_calendar::serves(const tenant_config& t) const {
  auto& c = t.business.calendar;
  return c.provider == cal_.provider && c.calendar_id == cal_.calendar_id && c.url == cal_.url
         && c.username == cal_.username && c.password == cal_.password
         && t.timezone == zone_ && t.language == language_
         && t.business.max_concurrent == places_;
}

std::vector<booked_span> booking_calendar::busy(int64_t from_ms, int64_t to_ms,
                                                std::string& error) {
  auto events = tokens_ ? google_events(*tokens_, api_url_, cal_.calendar_id, from_ms, to_ms,
                                        zone_, timeout_ms_, error)
                        : dav_events(*http_, cal_, from_ms, to_ms, zone_, timeout_ms_,
                                     caldav_credential, error);
  return error.empty() ? busy_spans(events, places_) : std::vector<booked_span>{};
}

write_outcome booking_calendar::write(const booking_record& b) {
  return tokens_ ? write_google(b) : write_caldav(b);
}

write_outcome booking_calendar::write_google(const booking_record& b) {
  auto entry = calendar_entry_of(b, language_);
  auto events = api_url_ + "/calendar/v3/calendars/" + url_encode(cal_.calendar_id) + "/events";
  auto failed = [&](const net::client_response& res) {
    return write_outcome{false, describe_failure("Google Calendar",
                                                 outcome_of(res, timeout_ms_,
                                                            google::error_message(res.body)),
                                                 "")};
  };
  std::string error;
  net::client_request req;
  req.url = events + "/" + entry.google_id;
  req.timeout = std::chrono::milliseconds(timeout_ms_);
  req.repeatable = true;  // by id: a repeat writes the same state
  if (b.status == "cancelled") {
    req.method = "DELETE";
    auto res = tokens_->send(req, error);
    if (!error.empty())
      return {false, error};
    if (res.status == 200 || res.status == 204 || res.status == 404 || res.status == 410)
      return {true, "removed from Google Calendar"};
    return failed(res);
  }
  auto body = nlohmann::json{{"id", entry.google_id}, {"summary", entry.summary},
                             {"description", entry.description}, {"status", "confirmed"},
                             {"start", {{"dateTime", tz::rfc3339_utc(b.start_ms)}}},
                             {"end", {{"dateTime", tz::rfc3339_utc(b.end_ms)}}}}
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  req.method = "PUT";  // events.update: the entry as it stands now
  req.body = body;
  req.headers = {{"Content-Type", "application/json"}};
  auto res = tokens_->send(req, error);
  if (!error.empty())
    return {false, error};
  if (res.status == 200)
    return {true, "updated in Google Calendar as " + entry.google_id};
  if (res.status != 404)
    return failed(res);
  req.method = "POST";  // not there yet: events.insert under the same id
  req.url = events;
  res = tokens_->send(req, error);
  if (!error.empty())
    return {false, error};
  if (res.status == 200)
    return {true, "created in Google Calendar as " + entry.google_id};
  // 409: made meanwhile (an earlier attempt's answer was lost); the next
  // pass updates it.
  return failed(res);
}

write_outcome booking_calendar::write_caldav(const booking_record& b) {
  auto entry = calendar_entry_of(b, language_);
  net::client_request req;
  req.url = cal_.url + (cal_.url.back() == '/' ? "" : "/") + entry.uid + ".ics";
  req.timeout = std::chrono::milliseconds(timeout_ms_);
  req.repeatable = true;  // by name: a repeat writes the same state
  if (auto auth = dav_authorization(cal_); !auth.first.empty())
    req.headers.push_back(std::move(auth));
  bool cancelled = b.status == "cancelled";
  if (cancelled) {
    req.method = "DELETE";
  } else {
    req.method = "PUT";
    req.body = ical::new_event(entry.uid, entry.summary, b.start_ms, b.end_ms, entry.description);
    req.headers.emplace_back("Content-Type", "text/calendar; charset=utf-8");
  }
  auto res = http_->send(req);
  if (res.status == 200 || res.status == 201 || res.status == 204
      || (cancelled && res.status == 404))
    return {true, (cancelled ? "removed as " : "written as ") + entry.uid};
  return {false, describe_failure("the CalDAV server", outcome_of(res, timeout_ms_),
                                  caldav_credential)};
}

} // namespace parley
