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

std::string reminder_words(const booking_record& b, const std::string& business,
                           const std::string& zone, const std::string& lang) {
  auto what = booking_words(b, zone, lang);
  if (lang == "nl")
    return "Herinnering van " + business + ": je afspraak " + what
           + ". Kun je niet? Laat het ons hier weten, dan verzetten of annuleren we hem.";
  return "A reminder from " + business + ": your appointment " + what
         + ". Can't make it? Tell us here and we will move or cancel it.";
}

std::vector<std::string> reminder_params(const booking_record& b, const std::string& business,
                                         const std::string& zone, const std::string& lang) {
  return {business, booking_words(b, zone, lang)};
}

std::string booking_approval_summary(const booking_record& b, const std::string& zone,
                                     const std::string& lang) {
  auto who = b.customer_name.empty() ? "+" + b.customer
                                     : b.customer_name + " (+" + b.customer + ")";
  return booking_words(b, zone, lang) + (lang == "nl" ? " voor " : " for ") + who;
}

std::string booking_verdict_words(booking_verdict v, const booking_record& b,
                                  const std::string& business, const std::string& zone,
                                  const std::string& lang) {
  auto what = booking_words(b, zone, lang);
  bool nl = lang == "nl";
  switch (v) {
    case booking_verdict::confirmed:
      return nl ? business + " heeft je afspraak bevestigd: " + what + ". Tot dan!"
                : business + " has confirmed your appointment: " + what + ". See you then!";
    case booking_verdict::declined:
      return nl ? "Het spijt ons: " + business + " kan je afspraak " + what
                    + " niet bevestigen. Kies gerust een ander moment."
                : "We are sorry: " + business + " cannot confirm your appointment " + what
                    + ". Feel free to choose another time.";
    case booking_verdict::expired:
      return nl ? "Je aanvraag " + what + " is niet op tijd bevestigd en vervalt. Kies gerust"
                  " een ander moment, of vraag naar een medewerker."
                : "Your request " + what + " was not confirmed in time and has lapsed. Feel"
                  " free to choose another time, or ask for a person.";
  }
  return "";
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
