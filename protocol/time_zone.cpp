#include "protocol/time_zone.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <cctype>
#include <chrono>
#include <sstream>

namespace parley::tz {

using namespace std::chrono;

namespace {

const date::time_zone* find(const std::string& zone) {
  try {
    return date::locate_zone(zone);
  } catch (const std::exception&) {
    return nullptr;
  }
}

const date::time_zone& zone_or_utc(const std::string& zone) {
  auto* z = find(zone);
  return z ? *z : *date::locate_zone("UTC");
}

std::optional<date::year_month_day> parse_date(const std::string& text) {
  // Exactly YYYY-MM-DD: %F alone reads "25-12-2026" as the year 25.
  for (size_t i = 0; i < text.size(); ++i)
    if ((i == 4 || i == 7) ? text[i] != '-' : !std::isdigit(static_cast<unsigned char>(text[i])))
      return std::nullopt;
  std::istringstream in(text);
  date::year_month_day ymd;
  in >> date::parse("%F", ymd);
  if (in.fail() || !ymd.ok() || text.size() != 10)
    return std::nullopt;
  return ymd;
}

date::sys_time<milliseconds> at(int64_t utc_ms) {
  return date::sys_time<milliseconds>{milliseconds{utc_ms}};
}

} // namespace

bool valid(const std::string& zone) {
  return find(zone) != nullptr;
}

std::string local_date(const std::string& zone, int64_t utc_ms) {
  auto local = zone_or_utc(zone).to_local(at(utc_ms));
  return date::format("%F", date::floor<date::days>(local));
}

std::string local_time(const std::string& zone, int64_t utc_ms) {
  auto local = zone_or_utc(zone).to_local(at(utc_ms));
  return date::format("%H:%M", date::floor<minutes>(local));
}

int64_t instant_of(const std::string& zone, const std::string& day,
                   const std::string& hhmm) {
  auto ymd = parse_date(day).value_or(date::year_month_day{});
  int h = std::stoi(hhmm.substr(0, 2)), m = std::stoi(hhmm.substr(3, 2));
  auto local = date::local_days{ymd} + hours{h} + minutes{m};
  auto& z = zone_or_utc(zone);
  auto info = z.get_info(local);
  date::sys_seconds utc;
  if (info.result == date::local_info::nonexistent)
    utc = info.second.begin;  // the gap's end: the first minute that exists
  else
    utc = z.to_sys(local, date::choose::earliest);
  return duration_cast<milliseconds>(utc.time_since_epoch()).count();
}

std::string add_days(const std::string& day, int days) {
  auto ymd = parse_date(day).value_or(date::year_month_day{});
  return date::format("%F", date::sys_days{ymd} + date::days{days});
}

int weekday(const std::string& day) {
  auto ymd = parse_date(day).value_or(date::year_month_day{});
  return (date::weekday{date::sys_days{ymd}}.iso_encoding() + 6) % 7;
}

bool is_date(const std::string& text) {
  return parse_date(text).has_value();
}

std::string rfc3339_utc(int64_t utc_ms) {
  return date::format("%FT%TZ", date::floor<seconds>(at(utc_ms)));
}

std::optional<int64_t> parse_rfc3339(const std::string& text) {
  // By hand: date::parse with an offset overflows inside <chrono> on crafted
  // input, and these come from other servers.
  auto num = [&](size_t at, size_t len) -> int {
    if (at + len > text.size())
      return -1;
    int n = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i])))
        return -1;
      n = n * 10 + (text[i] - '0');
    }
    return n;
  };
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't')
      || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), se = num(17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
    return std::nullopt;
  size_t pos = 19;
  int64_t ms = 0;
  if (pos < text.size() && text[pos] == '.') {
    int digits = 0;
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (digits < 3)
        ms = ms * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    for (; digits < 3; ++digits)
      ms *= 10;
  }
  int offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') && text[pos + 3] == ':') {
    int oh = num(pos + 1, 2), om = num(pos + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59)
      return std::nullopt;
    offset = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size())
    return std::nullopt;
  auto ymd = date::year{y} / date::month{static_cast<unsigned>(mo)} / date::day{static_cast<unsigned>(d)};
  if (!ymd.ok())
    return std::nullopt;
  int64_t seconds = date::sys_days{ymd}.time_since_epoch().count() * 86400LL + h * 3600 + mi * 60
                    + se - offset * 60LL;
  return seconds * 1000 + ms;
}

} // namespace parley::tz
