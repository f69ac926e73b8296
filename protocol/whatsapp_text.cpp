#include "protocol/whatsapp_text.hpp"

#include <cctype>
#include <string_view>

namespace parley {

namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

/// Converts inline markup of one line outside code spans.
std::string convert_inline(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == '`') { // inline code: copy verbatim up to the closing tick
      auto end = s.find('`', i + 1);
      if (end == std::string_view::npos)
        end = s.size() - 1;
      out.append(s.substr(i, end - i + 1));
      i = end + 1;
      continue;
    }
    auto pair_at = [&](std::string_view mark) -> std::size_t {
      if (s.substr(i, mark.size()) != mark)
        return std::string_view::npos;
      auto inner = i + mark.size();
      if (inner >= s.size() || s[inner] == ' ')
        return std::string_view::npos;
      auto close = s.find(mark, inner);
      if (close == std::string_view::npos || close == inner
          || s[close - 1] == ' ')
        return std::string_view::npos;
      return close;
    };
    auto wrap = [&](std::string_view mark, char with) {
      auto close = pair_at(mark);
      if (close == std::string_view::npos)
        return false;
      out.push_back(with);
      out += convert_inline(s.substr(i + mark.size(), close - i - mark.size()));
      out.push_back(with);
      i = close + mark.size();
      return true;
    };
    if (wrap("**", '*') || wrap("__", '*') || wrap("~~", '~'))
      continue;
    if (s[i] == '*' && wrap("*", '_'))
      continue;
    if (s[i] == '[') { // [text](url)
      auto close = s.find("](", i);
      auto end = close == std::string_view::npos ? close : s.find(')', close);
      if (end != std::string_view::npos
          && s.substr(i + 1, close - i - 1).find('\n') == std::string_view::npos) {
        auto text = s.substr(i + 1, close - i - 1);
        auto url = s.substr(close + 2, end - close - 2);
        out += convert_inline(text);
        if (url != text) {
          out += " (";
          out.append(url);
          out += ")";
        }
        i = end + 1;
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

std::string convert_line(std::string_view line) {
  std::size_t indent = 0;
  while (indent < line.size() && line[indent] == ' ')
    ++indent;
  auto body = line.substr(indent);
  if (!body.empty() && body[0] == '#') { // heading → bold line
    auto h = body.find_first_not_of('#');
    if (h != std::string_view::npos && body[h] == ' ') {
      auto title = body.substr(h + 1);
      std::string plain;
      for (auto c : convert_inline(title))
        if (c != '*')
          plain.push_back(c);
      return "*" + plain + "*";
    }
  }
  if (body.size() > 1 && (body[0] == '-' || body[0] == '*' || body[0] == '+')
      && body[1] == ' ')
    return std::string(line.substr(0, indent)) + "• "
           + convert_inline(body.substr(2));
  return std::string(line.substr(0, indent)) + convert_inline(body);
}

} // namespace

std::string markdown_to_whatsapp(const std::string& markdown) {
  std::string out;
  bool in_code = false;
  std::string_view rest = markdown;
  while (true) {
    auto nl = rest.find('\n');
    auto line = rest.substr(0, nl);
    auto trimmed = line.substr(line.find_first_not_of(' ') == std::string_view::npos
                                 ? line.size()
                                 : line.find_first_not_of(' '));
    if (trimmed.substr(0, 3) == "```") {
      in_code = !in_code;
      out.append(line);
    } else if (in_code) {
      out.append(line);
    } else {
      out += convert_line(line);
    }
    if (nl == std::string_view::npos)
      break;
    out.push_back('\n');
    rest.remove_prefix(nl + 1);
  }
  return out;
}

std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if (!is_continuation(c))
      ++n;
  return n;
}

std::vector<std::string> split_message(const std::string& text,
                                       std::size_t limit) {
  std::vector<std::string> parts;
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)); };
  std::string_view rest = text;
  auto trim = [&](std::string_view s) {
    while (!s.empty() && is_space(s.front()))
      s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
      s.remove_suffix(1);
    return s;
  };
  rest = trim(rest);
  if (limit == 0)
    limit = 1;
  while (!rest.empty()) {
    // Byte offset just past `limit` code points.
    std::size_t end = 0, count = 0;
    while (end < rest.size() && count < limit) {
      ++end;
      while (end < rest.size() && is_continuation(rest[end]))
        ++end;
      ++count;
    }
    if (end >= rest.size()) {
      parts.emplace_back(rest);
      break;
    }
    auto window = rest.substr(0, end);
    std::size_t cut = std::string_view::npos;
    if (auto p = window.rfind("\n\n"); p != std::string_view::npos && p > 0)
      cut = p;
    if (cut == std::string_view::npos)
      for (std::size_t i = window.size(); i-- > 1;)
        if ((window[i - 1] == '.' || window[i - 1] == '!' || window[i - 1] == '?'
             || window[i - 1] == '\n')
            && (is_space(window[i]))) {
          cut = i;
          break;
        }
    if (cut == std::string_view::npos)
      for (std::size_t i = window.size(); i-- > 1;)
        if (is_space(window[i])) {
          cut = i;
          break;
        }
    if (cut == std::string_view::npos || cut == 0)
      cut = end;
    parts.emplace_back(trim(rest.substr(0, cut)));
    rest = trim(rest.substr(cut));
  }
  return parts;
}

} // namespace parley
