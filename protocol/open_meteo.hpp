#pragma once

// Open-Meteo's forecast API (no key): the request URL and its answer.
// https://open-meteo.com/en/docs — GET /v1/forecast?latitude&longitude&daily=...

#include "protocol/live_data.hpp"

#include <string>
#include <vector>

namespace parley::open_meteo {

/// The daily forecast for `days` days from today in `timezone`.
std::string forecast_url(const std::string& base_url, double latitude,
                         double longitude, const std::string& timezone, int days);

struct forecast {
  std::vector<weather_day> days;
  std::string error;  ///< a malformed body, or the API's own `reason`
};

/// Parses a 200 body; for an error body (`{"error":true,"reason":...}`) the
/// reason is in `error`.
forecast parse_forecast(const std::string& body);

/// The WMO weather code in words ("light rain" / "lichte regen").
std::string describe_code(int code, const std::string& lang);

/// One day in a line: "Amsterdam, tomorrow: light rain, 3 to 8 °C, 60% chance
/// of rain, wind 22 km/h".
std::string day_line(const weather_day& d, const std::string& place,
                     const std::string& when, const std::string& lang);

} // namespace parley::open_meteo
