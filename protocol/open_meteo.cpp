#include "protocol/open_meteo.hpp"

#include "protocol/json_fields.hpp"
#include "protocol/url.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace parley::open_meteo {

using nlohmann::json;

namespace {

std::string number(double x, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

} // namespace

std::string forecast_url(const std::string& base_url, double latitude,
                         double longitude, const std::string& timezone, int days) {
  return base_url + "/v1/forecast?latitude=" + number(latitude, 4)
         + "&longitude=" + number(longitude, 4)
         + "&daily=weather_code,temperature_2m_max,temperature_2m_min,"
           "precipitation_probability_max,wind_speed_10m_max"
         + "&timezone=" + url_encode(timezone)
         + "&forecast_days=" + std::to_string(days);
}

forecast parse_forecast(const std::string& body) {
  forecast out;
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object()) {
    out.error = "the forecast is not a JSON object";
    return out;
  }
  if (auto e = j.find("error"); e != j.end() && e->is_boolean() && e->get<bool>()) {
    out.error = string_field(j, "reason");
    if (out.error.empty())
      out.error = "the forecast API reported an error";
    return out;
  }
  auto daily = j.find("daily");
  if (daily == j.end() || !daily->is_object() || !daily->contains("time")
      || !(*daily)["time"].is_array()) {
    out.error = "the forecast has no daily data";
    return out;
  }
  auto column = [&](const char* name, size_t i) -> double {
    auto c = daily->find(name);
    if (c == daily->end() || !c->is_array() || i >= c->size()
        || !(*c)[i].is_number())
      return NAN;
    return (*c)[i].get<double>();
  };
  auto& times = (*daily)["time"];
  for (size_t i = 0; i < times.size(); ++i) {
    if (!times[i].is_string())
      continue;
    weather_day d;
    d.date = times[i].get<std::string>();
    auto code = column("weather_code", i);
    d.code = std::isnan(code) ? -1 : static_cast<int>(code);
    d.tmax = column("temperature_2m_max", i);
    d.tmin = column("temperature_2m_min", i);
    auto rain = column("precipitation_probability_max", i);
    d.rain_chance = std::isnan(rain) ? -1 : static_cast<int>(std::lround(rain));
    d.wind_kmh = column("wind_speed_10m_max", i);
    out.days.push_back(d);
  }
  if (out.days.empty())
    out.error = "the forecast has no days";
  return out;
}

std::string describe_code(int code, const std::string& lang) {
  bool nl = lang == "nl";
  struct words { int upto; const char* en; const char* nl; };
  static const words table[] = {
    {0, "clear sky", "onbewolkt"},
    {1, "mainly clear", "overwegend helder"},
    {2, "partly cloudy", "half bewolkt"},
    {3, "overcast", "bewolkt"},
    {48, "fog", "mist"},
    {57, "drizzle", "motregen"},
    {61, "light rain", "lichte regen"},
    {63, "rain", "regen"},
    {67, "heavy rain", "zware regen"},
    {77, "snow", "sneeuw"},
    {82, "rain showers", "regenbuien"},
    {86, "snow showers", "sneeuwbuien"},
    {99, "thunderstorms", "onweer"},
  };
  if (code >= 0)
    for (auto& w : table)
      if (code <= w.upto)
        return nl ? w.nl : w.en;
  return nl ? "onbekend weer" : "unknown weather";
}

std::string day_line(const weather_day& d, const std::string& place,
                     const std::string& when, const std::string& lang) {
  bool nl = lang == "nl";
  std::string out = (place.empty() ? "" : place + ", ") + when + ": "
                    + describe_code(d.code, lang);
  if (!std::isnan(d.tmin) && !std::isnan(d.tmax))
    out += ", " + number(d.tmin, 0) + (nl ? " tot " : " to ") + number(d.tmax, 0) + " °C";
  if (d.rain_chance >= 0)
    out += ", " + std::to_string(d.rain_chance)
           + (nl ? "% kans op regen" : "% chance of rain");
  if (!std::isnan(d.wind_kmh))
    out += (nl ? ", wind " : ", wind ") + number(d.wind_kmh, 0)
           + (nl ? " km/u" : " km/h");
  return out;
}

} // namespace parley::open_meteo
