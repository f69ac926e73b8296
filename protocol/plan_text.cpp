#include "protocol/plan_text.hpp"

#include "protocol/ascii_text.hpp"

#include "protocol/live_text.hpp"
#include "protocol/time_zone.hpp"

#include <cctype>
#include <cstdio>
#include <optional>
#include <sstream>
#include <vector>

namespace parley {

namespace {

std::string two(int n) {
  char buf[16];  // room for any int: no truncation
  std::snprintf(buf, sizeof buf, "%02d", n);
  return buf;
}

bool digits(const std::string& s) {
  return !s.empty() && s.size() <= 4
         && s.find_first_not_of("0123456789") == std::string::npos;
}

/// "14:00", "9.30", "14u", "14u30" → "14:00".
std::optional<std::string> clock(const std::string& w) {
  std::string h, m = "00";
  auto sep = w.find_first_of(":.u");
  if (sep == std::string::npos)
    return std::nullopt;
  h = w.substr(0, sep);
  auto rest = w.substr(sep + 1);
  if (w[sep] == 'u' && rest.empty())
    rest = "00";
  if (!digits(h) || h.size() > 2 || !digits(rest) || rest.size() != 2)
    return std::nullopt;
  m = rest;
  int hh = std::stoi(h), mm = std::stoi(m);
  if (hh > 23 || mm > 59)
    return std::nullopt;
  return two(hh) + ":" + two(mm);
}

int weekday_of(const std::string& w) {
  static const char* nl[] = {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
                             "zaterdag", "zondag"};
  static const char* en[] = {"monday", "tuesday", "wednesday", "thursday", "friday",
                             "saturday", "sunday"};
  for (int i = 0; i < 7; ++i)
    if (w == nl[i] || w == en[i])
      return i;
  return -1;
}

/// "12-12" or "5/1" this year, or next year once it has passed.
std::optional<std::string> day_month(const std::string& w, const std::string& today) {
  auto sep = w.find_first_of("-/");
  if (sep == std::string::npos)
    return std::nullopt;
  auto d = w.substr(0, sep), m = w.substr(sep + 1);
  if (!digits(d) || !digits(m) || d.size() > 2 || m.size() > 2)
    return std::nullopt;
  auto year = std::stoi(today.substr(0, 4));
  auto date = std::to_string(year) + "-" + two(std::stoi(m)) + "-" + two(std::stoi(d));
  if (!tz::is_date(date))
    return std::nullopt;
  if (date < today)
    date = std::to_string(year + 1) + date.substr(4);
  return date;
}

} // namespace

planned_event parse_plan(const std::string& text, const std::string& today) {
  planned_event e;
  std::istringstream in(text);
  std::vector<std::string> words, title;
  std::string w;
  while (in >> w)
    words.push_back(w);
  auto minutes_between = [](const std::string& a, const std::string& b) {
    return (std::stoi(b.substr(0, 2)) * 60 + std::stoi(b.substr(3, 2)))
           - (std::stoi(a.substr(0, 2)) * 60 + std::stoi(a.substr(3, 2)));
  };
  for (auto& word : words) {
    auto l = lower(word);
    while (!l.empty() && (l.back() == ',' || l.back() == '!'))
      l.pop_back();
    if (e.date.empty()) {
      if (l == "vandaag" || l == "today") { e.date = today; continue; }
      if (l == "morgen" || l == "tomorrow") { e.date = tz::add_days(today, 1); continue; }
      if (l == "overmorgen") { e.date = tz::add_days(today, 2); continue; }
      if (auto wd = weekday_of(l); wd >= 0) {
        e.date = tz::add_days(today, (wd - tz::weekday(today) + 7) % 7);
        continue;
      }
      if (tz::is_date(l)) { e.date = l; continue; }
      if (auto dm = day_month(l, today)) { e.date = *dm; continue; }
    }
    if (e.start.empty()) {
      // "14:00-15:30": a start and an end.
      auto dash = l.find('-');
      if (dash != std::string::npos) {
        auto a = clock(l.substr(0, dash)), b = clock(l.substr(dash + 1));
        if (a && b && minutes_between(*a, *b) > 0) {
          e.start = *a;
          e.minutes = minutes_between(*a, *b);
          continue;
        }
      } else if (auto c = clock(l)) {
        e.start = *c;
        continue;
      }
    }
    // Little words that belong to the when, not the what.
    if (l == "om" || l == "at" || l == "op" || l == "on" || l == "van" || l == "from")
      continue;
    title.push_back(word);
  }
  for (auto& t : title)
    e.title += (e.title.empty() ? "" : " ") + t;
  if (!e.title.empty())
    e.title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(e.title[0])));
  if (e.title.empty())
    e.error = "no title: say what it is, e.g. plan: overleg met Sara vrijdag 14:00";
  else if (e.date.empty())
    e.error = "no day: add one, e.g. vrijdag, morgen or 2026-12-14";
  else if (e.start.empty())
    e.error = "no time: add one, e.g. 14:00 or 14u";
  return e;
}

std::string plan_line(const planned_event& e) {
  return e.date + " " + e.start + " " + std::to_string(e.minutes) + " " + e.title;
}

planned_event plan_of_line(const std::string& line) {
  planned_event e;
  std::istringstream in(line);
  std::string minutes;
  in >> e.date >> e.start >> minutes;
  std::getline(in, e.title);
  auto b = e.title.find_first_not_of(' ');
  e.title = b == std::string::npos ? "" : e.title.substr(b);
  bool ok = tz::is_date(e.date) && clock(e.start) == e.start && digits(minutes)
            && std::stoi(minutes) > 0 && std::stoi(minutes) <= 24 * 60 && !e.title.empty();
  if (ok)
    e.minutes = std::stoi(minutes);
  else
    e.error = "the event is not complete (day, time, length and title)";
  return e;
}

std::string plan_summary(const planned_event& e, const std::string& lang) {
  auto h = std::stoi(e.start.substr(0, 2)), m = std::stoi(e.start.substr(3, 2));
  auto end = h * 60 + m + e.minutes;
  auto end_text = two((end / 60) % 24) + ":" + two(end % 60);
  return e.title + ", " + short_date(e.date, lang) + " " + e.start + "–" + end_text;
}

} // namespace parley
