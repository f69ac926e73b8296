#include "protocol/imap_text.hpp"

#include "protocol/ascii_text.hpp"

#include <date/date.h>

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace parley::imap {

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

/// Header lines of a literal, continuation lines unfolded.
std::map<std::string, std::string> parse_headers(const std::string& block) {
  std::map<std::string, std::string> out;
  std::string name;
  std::istringstream in(block);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty())
      continue;
    if ((line[0] == ' ' || line[0] == '\t') && !name.empty()) {
      out[name] += " " + trim(line);
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    name = lower(trim(line.substr(0, colon)));
    out[name] = trim(line.substr(colon + 1));
  }
  return out;
}

std::string decode_b(const std::string& text) {
  std::string padded = text;
  while (padded.size() % 4)
    padded += '=';
  std::string out(padded.size(), '\0');
  auto n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(padded.data()),
                           static_cast<int>(padded.size()));
  if (n < 0)
    return text;
  out.resize(static_cast<size_t>(n));
  // EVP_DecodeBlock counts the padding's zero bytes.
  for (auto i = padded.size(); i > 0 && padded[i - 1] == '=' && !out.empty(); --i)
    out.pop_back();
  return out;
}

std::string decode_q(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_')
      out += ' ';
    else if (text[i] == '=' && i + 2 < text.size() + 0 && std::isxdigit(static_cast<unsigned char>(text[i + 1]))
             && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else
      out += text[i];
  }
  return out;
}

} // namespace

std::vector<uint64_t> parse_search(const std::string& answer) {
  std::vector<uint64_t> out;
  std::istringstream in(answer);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("* SEARCH", 0) != 0)
      continue;
    std::istringstream words(line.substr(8));
    std::string w;
    while (words >> w)
      if (!w.empty() && w.size() < 20
          && std::all_of(w.begin(), w.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        out.push_back(std::stoull(w));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fetched> parse_fetch(const std::string& answer) {
  std::vector<fetched> out;
  size_t pos = 0;
  while ((pos = answer.find("* ", pos)) != std::string::npos) {
    auto eol = answer.find('\n', pos);
    if (eol == std::string::npos)
      break;
    auto line = answer.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.find(" FETCH (") == std::string::npos)
      continue;
    fetched f;
    if (auto u = line.find("UID "); u != std::string::npos) {
      try {
        f.uid = std::stoull(line.substr(u + 4));
      } catch (const std::exception&) {
        continue;
      }
    }
    // "... {123}\r" at the end of the line: a literal of 123 bytes follows.
    auto open = line.rfind('{');
    auto close = line.rfind('}');
    if (open == std::string::npos || close == std::string::npos || close < open)
      continue;
    size_t length = 0;
    try {
      length = std::stoul(line.substr(open + 1, close - open - 1));
    } catch (const std::exception&) {
      continue;
    }
    // libcurl hands a FETCH's first line over twice (as a header line and
    // as body): a "literal" that starts with another untagged line is such a
    // copy, and so is a second answer for the same UID.
    if (answer.compare(pos, 2, "* ") == 0 || pos >= answer.size())
      continue;
    length = std::min(length, answer.size() - pos);
    f.literal = answer.substr(pos, length);
    f.headers = parse_headers(f.literal);
    bool repeat = std::any_of(out.begin(), out.end(), [&](auto& o) { return o.uid == f.uid; });
    if (f.headers.empty() || repeat)
      continue;
    pos += length;
    out.push_back(std::move(f));
  }
  return out;
}

std::string fetch_headers_command(const std::vector<uint64_t>& uids,
                                  const std::string& fields) {
  std::string set;
  for (auto uid : uids)
    set += (set.empty() ? "" : ",") + std::to_string(uid);
  return "UID FETCH " + set + " (UID BODY.PEEK[HEADER.FIELDS (" + fields + ")])";
}

int64_t parse_date(const std::string& value) {
  // Read by hand: date::parse with %z on a crafted offset overflows inside
  // <chrono> (fuzz_imap_answer found it), and a mail header is anyone's text.
  auto v = trim(value);
  if (auto comma = v.find(','); comma != std::string::npos && comma < 5)
    v = trim(v.substr(comma + 1));
  std::istringstream in(v);
  std::string day, month, year, clock, zone;
  in >> day >> month >> year >> clock >> zone;
  static const char* months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  auto all_digits = [](const std::string& s, size_t min, size_t max) {
    return s.size() >= min && s.size() <= max
           && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  };
  int m = -1;
  for (int i = 0; i < 12; ++i)
    if (lower(month) == months[i])
      m = i + 1;
  if (m < 0 || !all_digits(day, 1, 2) || !all_digits(year, 4, 4) || clock.size() < 5)
    return 0;
  auto hh = clock.substr(0, 2), mm = clock.substr(3, 2);
  auto ss = clock.size() >= 8 ? clock.substr(6, 2) : std::string("00");
  if (clock[2] != ':' || !all_digits(hh, 2, 2) || !all_digits(mm, 2, 2) || !all_digits(ss, 2, 2))
    return 0;
  int offset_min = 0;
  if ((zone.size() == 5) && (zone[0] == '+' || zone[0] == '-') && all_digits(zone.substr(1), 4, 4)) {
    offset_min = std::stoi(zone.substr(1, 2)) * 60 + std::stoi(zone.substr(3, 2));
    if (zone[0] == '-')
      offset_min = -offset_min;
  } else if (!(zone.empty() || zone == "GMT" || zone == "UT" || zone == "UTC" || zone == "Z"
               || zone[0] == '(')) {
    return 0;
  }
  auto ymd = date::year{std::stoi(year)} / date::month{static_cast<unsigned>(m)}
             / date::day{static_cast<unsigned>(std::stoi(day))};
  if (!ymd.ok() || std::stoi(hh) > 23 || std::stoi(mm) > 59 || std::stoi(ss) > 60)
    return 0;
  auto seconds = date::sys_days{ymd}.time_since_epoch().count() * 86400LL
                 + std::stoi(hh) * 3600 + std::stoi(mm) * 60 + std::stoi(ss) - offset_min * 60LL;
  return seconds * 1000;
}

std::string search_date(const std::string& d) {
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (d.size() != 10)
    return d;
  return d.substr(8, 2) + "-" + months[std::stoi(d.substr(5, 2)) - 1] + "-" + d.substr(0, 4);
}

std::string decode_words(const std::string& value) {
  std::string out;
  size_t pos = 0;
  bool last_was_word = false;
  while (pos < value.size()) {
    auto start = value.find("=?", pos);
    if (start == std::string::npos) {
      out += value.substr(pos);
      break;
    }
    auto q1 = value.find('?', start + 2);
    auto q2 = q1 == std::string::npos ? q1 : value.find('?', q1 + 1);
    auto end = q2 == std::string::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string::npos) {
      out += value.substr(pos);
      break;
    }
    auto between = value.substr(pos, start - pos);
    // Whitespace between two encoded words is not part of the text.
    if (!(last_was_word && trim(between).empty()))
      out += between;
    auto encoding = std::toupper(static_cast<unsigned char>(value[q1 + 1]));
    auto text = value.substr(q2 + 1, end - q2 - 1);
    out += encoding == 'B' ? decode_b(text) : decode_q(text);
    last_was_word = true;
    pos = end + 2;
  }
  return out;
}

std::string display_name(const std::string& value) {
  auto v = decode_words(trim(value));
  auto lt = v.find('<');
  if (lt != std::string::npos && lt > 0) {
    auto name = trim(v.substr(0, lt));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    if (!name.empty())
      return name;
  }
  return address_of(v);
}

std::string address_of(const std::string& value) {
  auto v = trim(value);
  auto lt = v.find('<'), gt = v.find('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt)
    v = v.substr(lt + 1, gt - lt - 1);
  std::string out;
  for (char c : v)
    if (c != '"' && c != '\\' && c != '\r' && c != '\n' && c != ' ' && c != ',')
      out += c;
  return out;
}

mail_item item_of(const fetched& f, const char* who_field) {
  mail_item m;
  auto get = [&](const char* k) {
    auto i = f.headers.find(k);
    return i == f.headers.end() ? std::string() : i->second;
  };
  m.from = display_name(get(who_field));
  m.subject = decode_words(get("subject"));
  m.date_ms = parse_date(get("date"));
  return m;
}

} // namespace parley::imap
