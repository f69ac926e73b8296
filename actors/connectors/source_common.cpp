#include "actors/connectors/sources.hpp"

#include "net/http_client.hpp"
#include "protocol/live_text.hpp"
#include "protocol/time_zone.hpp"

namespace parley {

http_outcome outcome_of(const net::client_response& res, int timeout_ms,
                        std::string server_message) {
  http_outcome o;
  o.status = res.status;
  o.message = std::move(server_message);
  o.error = res.error;
  o.timed_out = res.timed_out;
  o.timeout_ms = timeout_ms;
  return o;
}

std::string day_word(const std::string& date, const std::string& zone,
                     const std::string& lang) {
  auto today = tz::local_date(zone, wall_ms());
  bool nl = lang == "nl";
  if (date == today)
    return nl ? "vandaag" : "today";
  if (date == tz::add_days(today, 1))
    return nl ? "morgen" : "tomorrow";
  return short_date(date, lang);
}

} // namespace parley
