#include "protocol/cron.hpp"

#include "protocol/time_zone.hpp"

#include <cctype>
#include <cstdio>
#include <sstream>
#include <vector>

namespace parley::cron {

namespace {

struct field_spec {
  const char* name;
  int low, high;
  const char* const* names;  ///< names[i] is the value low + i; null: none
};

const char* const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
const char* const weekday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};

const field_spec specs[] = {{"minute", 0, 59, nullptr},
                            {"hour", 0, 23, nullptr},
                            {"day of month", 1, 31, nullptr},
                            {"month", 1, 12, month_names},
                            {"day of week", 0, 7, weekday_names}};

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, by))
    parts.push_back(part);
  if (!text.empty() && text.back() == by)
    parts.emplace_back();
  return parts;
}

/// A number or, where the field has them, a name; nothing when neither.
std::optional<int> value_of(const std::string& text, const field_spec& f) {
  if (text.empty() || text.size() > 3)
    return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(text[0]))) {
    for (char c : text)
      if (!std::isdigit(static_cast<unsigned char>(c)))
        return std::nullopt;
    return std::stoi(text);
  }
  if (!f.names)
    return std::nullopt;
  std::string lower;
  for (char c : text)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int v = f.low; v <= f.high; ++v)
    if (lower == f.names[v - f.low])
      return v;
  return std::nullopt;
}

/// Sets the values `text` names in `out` (indexed by value); false with
/// `error` set when it is not a valid field.
bool read_field(const std::string& text, const field_spec& f, std::vector<bool>& out,
                std::string& error) {
  auto bad = [&](const std::string& why) {
    error = std::string(f.name) + " field '" + text + "': " + why;
    return false;
  };
  if (text.empty())
    return bad("empty");
  for (auto& item : split(text, ',')) {
    if (item.empty())
      return bad("an empty list item");
    auto slash = item.find('/');
    auto range = item.substr(0, slash);
    int step = 1;
    if (slash != std::string::npos) {
      auto s = item.substr(slash + 1);
      if (s.empty() || s.size() > 2 || s.find_first_not_of("0123456789") != std::string::npos)
        return bad("the step after '/' must be a number");
      step = std::stoi(s);
      if (step < 1)
        return bad("a step must be at least 1");
    }
    int from, to;
    if (range == "*") {
      from = f.low;
      to = f.high;
    } else {
      auto dash = range.find('-');
      auto first = value_of(range.substr(0, dash), f);
      if (!first)
        return bad("'" + range.substr(0, dash) + "' is not a valid " + f.name);
      from = *first;
      if (dash != std::string::npos) {
        auto last = value_of(range.substr(dash + 1), f);
        if (!last)
          return bad("'" + range.substr(dash + 1) + "' is not a valid " + f.name);
        to = *last;
      } else {
        to = slash != std::string::npos ? f.high : from;  // "a/n": a to the end
      }
      if (from < f.low || to > f.high || from > f.high)
        return bad("values run from " + std::to_string(f.low) + " to " + std::to_string(f.high));
      if (from > to)
        return bad("a range must run upwards");
    }
    for (int v = from; v <= to; v += step)
      out[v] = true;
  }
  return true;
}

template <size_t N>
void copy_into(const std::vector<bool>& values, std::bitset<N>& bits) {
  for (size_t v = 0; v < N && v < values.size(); ++v)
    bits[v] = values[v];
}

} // namespace

std::optional<schedule> parse(const std::string& expr, std::string& error) {
  std::istringstream in(expr);
  std::vector<std::string> fields;
  for (std::string f; in >> f;)
    fields.push_back(f);
  if (fields.size() != 5) {
    error = "a cron expression has 5 fields (minute hour day-of-month month day-of-week), not "
            + std::to_string(fields.size());
    return std::nullopt;
  }
  schedule s;
  std::vector<bool> values[5];
  for (int i = 0; i < 5; ++i) {
    values[i].assign(specs[i].high + 1, false);
    if (!read_field(fields[i], specs[i], values[i], error))
      return std::nullopt;
  }
  copy_into(values[0], s.minutes);
  copy_into(values[1], s.hours);
  copy_into(values[2], s.days);
  copy_into(values[3], s.months);
  for (int d = 0; d <= 7; ++d)
    if (values[4][d])
      s.weekdays[d % 7] = true;  // 7 is Sunday too
  s.any_day = fields[2] == "*";
  s.any_weekday = fields[4] == "*";
  return s;
}

std::optional<int64_t> next_after(const schedule& s, const std::string& zone,
                                  int64_t after_ms) {
  auto date = tz::local_date(zone, after_ms);
  for (int d = 0; d < 366 * 8 + 2; ++d, date = tz::add_days(date, 1)) {
    int month = std::stoi(date.substr(5, 2));
    int day = std::stoi(date.substr(8, 2));
    if (!s.months[month])
      continue;
    bool day_ok = s.days[day];
    bool weekday_ok = s.weekdays[(tz::weekday(date) + 1) % 7];  // tz: 0 = Monday
    bool fires = s.any_day && s.any_weekday ? true
                 : s.any_day                ? weekday_ok
                 : s.any_weekday            ? day_ok
                                            : day_ok || weekday_ok;
    if (!fires)
      continue;
    // In wall-clock order the instants never go back (a skipped time maps
    // to the jump, a repeated one to its first occurrence), so the first
    // one after `after_ms` is the next firing.
    for (int h = 0; h < 24; ++h) {
      if (!s.hours[h])
        continue;
      for (int m = 0; m < 60; ++m) {
        if (!s.minutes[m])
          continue;
        char hhmm[6];
        std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", h, m);
        auto at = tz::instant_of(zone, date, hhmm);
        if (at > after_ms)
          return at;
      }
    }
  }
  return std::nullopt;
}

} // namespace parley::cron
