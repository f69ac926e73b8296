#include "protocol/time_zone.hpp"

#include <date/date.h>
#include <date/tz.h>

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
  std::istringstream in(text);
  date::sys_time<milliseconds> t;
  if (text.size() >= 20 && (text.back() == 'Z' || text.back() == 'z'))
    in >> date::parse("%FT%TZ", t);
  else
    in >> date::parse("%FT%T%Ez", t);
  if (in.fail())
    return std::nullopt;
  return t.time_since_epoch().count();
}

} // namespace parley::tz
