#include "protocol/business_reader.hpp"

#include "protocol/day_words.hpp"
#include "protocol/time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace parley {

bool parse_span(const std::string& text, opening_span& out) {
  if (text.size() != 11 || text[5] != '-')
    return false;
  out.from = clock_minutes(text.substr(0, 5));
  out.to = clock_minutes(text.substr(6));
  return out.from >= 0 && out.to > out.from;
}

void read_template(object_reader& r, template_ref& out, const std::string& language) {
  r.read("name", out.name);
  r.read("language", out.language);
  if (out.name.empty())
    r.problem("name", "is missing");
  if (out.language.empty())
    out.language = language;
}

void read_calendar(object_reader& r, calendar_source& cal, const env_lookup& env,
                   const std::vector<std::string>& providers) {
  r.read("provider", cal.provider);
  r.read("calendar_id", cal.calendar_id);
  r.read("url", cal.url);
  r.read("username", cal.username);
  cal.password_env = r.secret("password_env", cal.password, env);
  if (std::find(providers.begin(), providers.end(), cal.provider) == providers.end()) {
    std::string names;
    for (size_t i = 0; i < providers.size(); ++i)
      names += (i == 0 ? "" : i + 1 == providers.size() ? " or " : ", ") + providers[i];
    return r.problem("provider", "must be " + names);
  }
  if (cal.provider != "google" && cal.url.rfind("http://", 0) != 0
      && cal.url.rfind("https://", 0) != 0)
    r.problem("url", "must be an http:// or https:// URL for " + cal.provider);
}

void read_business(object_reader& r, business_config& b, const std::string& language,
                   const env_lookup& env) {
  b.enabled = true;
  r.read("name", b.name);
  if (b.name.empty())
    r.problem("name", "is missing");
  r.read("tone", b.tone);
  r.read("address", b.address);
  r.read("rules", b.rules);
  std::set<std::string> names;
  r.objects("services", [&](object_reader& s, size_t) {
    service_offer offer;
    s.read("name", offer.name);
    s.read("minutes", offer.minutes);
    s.read("price", offer.price);
    if (offer.name.empty())
      s.problem("name", "is missing");
    else if (!names.insert(offer.name).second)
      s.problem("name", "'" + offer.name + "' appears twice");
    if (offer.minutes < 5 || offer.minutes > 720)
      s.problem("minutes", "must be between 5 and 720");
    b.services.push_back(std::move(offer));
  });
  if (b.services.empty())
    r.problem("services", "must list at least one service");
  static const char* days[] = {"mo", "tu", "we", "th", "fr", "sa", "su"};
  bool open = false;
  r.object("hours", [&](object_reader& h) {
    for (int d = 0; d < 7; ++d) {
      std::vector<std::string> spans;
      h.read(days[d], spans);
      for (auto& text : spans) {
        opening_span span;
        if (!parse_span(text, span)) {
          h.problem(days[d], "'" + text + "' is not HH:MM-HH:MM");
          continue;
        }
        for (auto& other : b.hours[d])
          if (span.from < other.to && other.from < span.to)
            h.problem(days[d], "'" + text + "' overlaps another span of the day");
        b.hours[d].push_back(span);
        open = true;
      }
    }
  });
  if (!open)
    r.problem("hours", "must open on at least one day (keys mo, tu, we, th, fr, sa, su)");
  r.read("closed", b.closed);
  for (auto& d : b.closed)
    if (!tz::is_date(d))
      r.problem("closed", "'" + d + "' is not a date (YYYY-MM-DD)");
  r.read("max_concurrent", b.max_concurrent);
  r.read("slot_minutes", b.slot_minutes);
  r.read("min_notice_minutes", b.min_notice_minutes);
  r.read("horizon_days", b.horizon_days);
  if (b.max_concurrent < 1)
    r.problem("max_concurrent", "must be >= 1");
  if (b.slot_minutes < 5 || b.slot_minutes > 240)
    r.problem("slot_minutes", "must be between 5 and 240");
  if (b.min_notice_minutes < 0)
    r.problem("min_notice_minutes", "must be >= 0");
  if (b.horizon_days < 1 || b.horizon_days > 730)
    r.problem("horizon_days", "must be between 1 and 730");
  r.object("calendar", [&](object_reader& c) {
    c.read("provider", b.calendar.provider);
    if (b.calendar.provider == "parley")
      return;
    if (b.calendar.provider == "ics")
      return c.problem("provider", "an ICS feed is read-only; bookings need parley, google or "
                                   "caldav");
    read_calendar(c, b.calendar, env, {"parley", "google", "caldav"});
  });
  r.read("staff", b.staff);
  r.read("approve_bookings", b.approve_bookings);
  // The hand-over's template goes to staff whose 24-hour window is closed.
  r.object("handover", [&](object_reader& h) {
    h.read("timeout_h", b.handover_timeout_h);
    if (b.handover_timeout_h < 1 || b.handover_timeout_h > 24 * 30)
      h.problem("timeout_h", "must be between 1 and 720");
    h.object("template", [&](object_reader& tr) {
      read_template(tr, b.handover_template, language);
    });
  });
  r.object("reminder", [&](object_reader& rr) {
    rr.read("hours_before", b.reminder_hours_before);
    if (b.reminder_hours_before < 1 || b.reminder_hours_before > 24 * 14)
      rr.problem("hours_before", "must be between 1 and 336");
    rr.object("template", [&](object_reader& tr) {
      read_template(tr, b.reminder_template, language);
    });
  });
}

} // namespace parley
