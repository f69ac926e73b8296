#include "protocol/day_words.hpp"

#include <cctype>
#include <cstdio>

namespace parley {

const char* day_name(int d, bool dutch) {
  static const char* nl[] = {"maandag", "dinsdag", "woensdag", "donderdag",
                             "vrijdag", "zaterdag", "zondag"};
  static const char* en[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                             "Friday", "Saturday", "Sunday"};
  return dutch ? nl[d] : en[d];
}

const char* month_name(int m, bool dutch) {
  static const char* nl[] = {"januari", "februari", "maart", "april", "mei", "juni", "juli",
                             "augustus", "september", "oktober", "november", "december"};
  static const char* en[] = {"January", "February", "March", "April", "May", "June", "July",
                             "August", "September", "October", "November", "December"};
  return dutch ? nl[m - 1] : en[m - 1];
}

std::string clock_text(int minutes) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 100, minutes % 60);
  return buf;
}

int clock_minutes(const std::string& s) {
  auto digit = [&](size_t i) { return std::isdigit(static_cast<unsigned char>(s[i])) != 0; };
  if (s.size() != 5 || s[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4))
    return -1;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0))
    return -1;
  return h * 60 + m;
}

} // namespace parley
