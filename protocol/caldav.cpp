#include "protocol/caldav.hpp"

#include "protocol/time_zone.hpp"

#include <algorithm>

namespace parley::caldav {

std::string utc_stamp(int64_t ms) {
  auto t = tz::rfc3339_utc(ms);  // 2026-12-01T23:00:00Z
  t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == '-' || c == ':'; }),
          t.end());
  return t;
}

std::string calendar_query(int64_t from_ms, int64_t to_ms) {
  return R"(<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start=")"
         + utc_stamp(from_ms) + R"(" end=")" + utc_stamp(to_ms) + R"("/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>
)";
}

namespace {

std::string decode_entities(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 9, "<![CDATA[") == 0) {
      auto end = s.find("]]>", i + 9);
      if (end == std::string::npos)
        end = s.size();
      out += s.substr(i + 9, end - i - 9);
      i = end + 2;
      continue;
    }
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    auto semi = s.find(';', i);
    if (semi == std::string::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    auto name = s.substr(i + 1, semi - i - 1);
    if (name == "lt") out += '<';
    else if (name == "gt") out += '>';
    else if (name == "amp") out += '&';
    else if (name == "quot") out += '"';
    else if (name == "apos") out += '\'';
    else if (name.size() > 1 && name[0] == '#') {
      unsigned long code = 0;
      try {
        code = name[1] == 'x' || name[1] == 'X' ? std::stoul(name.substr(2), nullptr, 16)
                                                : std::stoul(name.substr(1));
      } catch (const std::exception&) {
        code = 0;
      }
      if (code > 0 && code < 0x80)
        out += static_cast<char>(code);
      // Other numeric references do not occur in iCalendar's ASCII syntax.
    } else {
      out += s.substr(i, semi - i + 1);
    }
    i = semi;
  }
  return out;
}

} // namespace

std::vector<std::string> calendar_data(const std::string& xml) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    // An opening tag "<prefix:calendar-data" (or unprefixed), not "</...".
    auto at = xml.find("calendar-data", pos);
    if (at == std::string::npos)
      break;
    auto lt = xml.rfind('<', at);
    pos = at + 13;
    if (lt == std::string::npos || xml[lt + 1] == '/'
        || xml.find_first_of(" >", lt) < at)
      continue;
    auto gt = xml.find('>', at);
    if (gt == std::string::npos)
      break;
    if (xml[gt - 1] == '/')  // <C:calendar-data/>: empty
      continue;
    auto tag = xml.substr(lt + 1, at + 13 - lt - 1);  // "C:calendar-data"
    auto close = xml.find("</" + tag, gt);
    if (close == std::string::npos)
      break;
    out.push_back(decode_entities(xml.substr(gt + 1, close - gt - 1)));
    pos = close;
  }
  return out;
}

} // namespace parley::caldav
