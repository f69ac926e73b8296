#include "protocol/booking.hpp"

#include "protocol/day_words.hpp"
#include "protocol/time_zone.hpp"

#include <cctype>

namespace parley {

std::string local_stamp(int64_t utc_ms, const std::string& zone) {
  return tz::local_date(zone, utc_ms) + " " + tz::local_time(zone, utc_ms);
}

bool parse_local_stamp(const std::string& text, const std::string& zone, int64_t& out) {
  if (text.size() == 16 && (text[10] == ' ' || text[10] == 'T') && tz::is_date(text.substr(0, 10))
      && text[13] == ':' && isdigit(text[11]) && isdigit(text[12]) && isdigit(text[14])
      && isdigit(text[15]) && std::stoi(text.substr(11, 2)) < 24 && std::stoi(text.substr(14, 2)) < 60) {
    out = tz::instant_of(zone, text.substr(0, 10), text.substr(11, 5));
    return true;
  }
  if (auto t = tz::parse_rfc3339(text)) {
    out = *t;
    return true;
  }
  return false;
}

std::string booking_words(const booking_record& b, const std::string& zone,
                          const std::string& lang) {
  bool nl = lang == "nl";
  auto date = tz::local_date(zone, b.start_ms);
  auto day = std::stoi(date.substr(8, 2));
  auto month = std::stoi(date.substr(5, 2));
  std::string when = nl ? std::string(day_name(tz::weekday(date), true)) + " " + std::to_string(day)
                            + " " + month_name(month, true)
                        : std::string(day_name(tz::weekday(date), false)) + " "
                            + std::to_string(day) + " " + month_name(month, false);
  return b.service + (nl ? " op " : " on ") + when + " " + tz::local_time(zone, b.start_ms) + "–"
         + tz::local_time(zone, b.end_ms) + (b.price.empty() ? "" : ", " + b.price);
}

nlohmann::json booking_json(const booking_record& b, const std::string& zone,
                            const std::string& lang) {
  return {{"booking_id", b.id},
          {"service", b.service},
          {"start", local_stamp(b.start_ms, zone)},
          {"end", local_stamp(b.end_ms, zone)},
          {"price", b.price},
          {"status", b.status},
          {"words", booking_words(b, zone, lang)}};
}

nlohmann::json booking_api_json(const booking_record& b) {
  return {{"id", b.id},
          {"tenant", b.tenant},
          {"service", b.service},
          {"start", tz::rfc3339_utc(b.start_ms)},
          {"end", tz::rfc3339_utc(b.end_ms)},
          {"customer", {{"number", b.customer}, {"name", b.customer_name}}},
          {"price", b.price},
          {"status", b.status},
          {"created_at", tz::rfc3339_utc(b.created_ms)}};
}

} // namespace parley
