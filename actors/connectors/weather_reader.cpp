// Open-Meteo's forecast for the tenant's place (no key needed).

#include "actors/connectors/sources.hpp"

#include "protocol/live_text.hpp"

#include "net/http_client.hpp"
#include "protocol/open_meteo.hpp"
#include "protocol/time_zone.hpp"

#include <algorithm>

namespace parley {

source_factory weather_reader(const config& cfg, const tenant_config& t) {
  auto base = cfg.apis.weather_url;
  auto timeout = cfg.connectors.timeout_ms;
  auto place = t.connectors.weather;
  auto zone = t.timezone;
  auto lang = t.language;
  return [=] {
    auto http = std::make_shared<net::http_client>();
    return [=](const std::string&, const std::string& date) {
      auto today = tz::local_date(zone, wall_ms());
      int days = 1;
      while (days < 16 && tz::add_days(today, days - 1) < date)
        ++days;
      net::client_request req;
      req.method = "GET";
      req.url = open_meteo::forecast_url(base, place.latitude, place.longitude, zone, days);
      req.timeout = std::chrono::milliseconds(timeout);
      auto res = http->send(req);
      if (res.status != 200) {
        auto reason = open_meteo::parse_forecast(res.body).error;
        return failing_report("weather", describe_failure("Open-Meteo", outcome_of(res, timeout, reason), ""));
      }
      auto f = open_meteo::parse_forecast(res.body);
      if (!f.error.empty())
        return failing_report("weather", "Open-Meteo sent an unreadable forecast: " + f.error);
      auto day = std::find_if(f.days.begin(), f.days.end(),
                              [&](const weather_day& d) { return d.date == date; });
      if (day == f.days.end())
        return failing_report("weather", "Open-Meteo has no forecast for " + date);
      auto r = ok_report("weather");
      r.lines.push_back(open_meteo::day_line(*day, place.place, day_word(date, zone, lang), lang));
      return r;
    };
  };
}

} // namespace parley
