#include "protocol/http_framing.hpp"

#include "protocol/ascii_text.hpp"

#include <cstdio>
#include <limits>
#include <utility>

namespace parley {

namespace {

// -- verdicts ----------------------------------------------------------------

// `so_far` keeps what was learnt before the refusal (the field counts).
head_verdict refused(std::string detail, head_verdict so_far = {}) {
  so_far.status = 400;
  so_far.code = "bad_request";
  so_far.detail = std::move(detail);
  return so_far;
}

head_verdict too_large(std::string detail) {
  head_verdict v;
  v.status = 431;
  v.code = "header_too_large";
  v.detail = std::move(detail);
  return v;
}

// -- characters (RFC 9110 §5.6.2) --------------------------------------------

bool is_tchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
      || (c >= 'A' && c <= 'Z'))
    return true;
  for (char allowed : std::string_view("!#$%&'*+-.^_`|~"))
    if (c == allowed)
      return true;
  return false;
}

bool is_token(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (!is_tchar(c))
      return false;
  return true;
}

bool is_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lower(a) == lower(b);
}

std::string hex_byte(char c) {
  char out[8];
  std::snprintf(out, sizeof out, "0x%02X", static_cast<unsigned char>(c));
  return out;
}

// Client text echoed in a detail: short, and without raw control bytes, so
// that the answer (and any log of it) stays one readable line.
std::string quoted(std::string_view s) {
  constexpr std::size_t shown = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < shown; ++i)
    out += is_control(s[i]) ? "\\x" + hex_byte(s[i]).substr(2)
                            : std::string(1, s[i]);
  if (s.size() > shown)
    out += "...";
  return out + "'";
}

// -- lines -------------------------------------------------------------------

// A lone CR or LF is a line end to some parsers and not to others: the
// classic way to make two hops see different headers. Returns the problem,
// or nothing when every line ends with CRLF.
std::string bare_line_break(std::string_view head) {
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r'))
      return "a line of the request head ends with a bare LF; lines must end "
             "with CRLF";
    if (head[i] == '\r' && (i + 1 == head.size() || head[i + 1] != '\n'))
      return "the request head contains a bare CR; lines must end with CRLF";
  }
  return {};
}

// The lines of a head checked by bare_line_break, without their CRLF and
// without the final empty line.
std::vector<std::string_view> split_lines(std::string_view head) {
  std::vector<std::string_view> lines;
  head.remove_suffix(2); // the CRLF of the final empty line
  while (!head.empty()) {
    auto end = head.find("\r\n");
    lines.push_back(head.substr(0, end));
    head.remove_prefix(end + 2);
  }
  return lines;
}

// -- the request line (RFC 9112 §3) ------------------------------------------

// METHOD SP target SP version, with exactly one space at each place.
head_verdict check_request_line(std::string_view line) {
  for (char c : line)
    if (is_control(c))
      return refused("the request line contains the control byte "
                     + hex_byte(c));
  auto first_space = line.find(' ');
  auto method = line.substr(0, first_space);
  if (!is_token(method))
    return refused("the request method " + quoted(method)
                   + " is not a token");
  if (first_space == std::string_view::npos)
    return refused("the request line has no target and no HTTP version");
  auto rest = line.substr(first_space + 1);
  auto second_space = rest.find(' ');
  auto target = rest.substr(0, second_space);
  if (target.empty() || second_space == std::string_view::npos)
    return refused("the request line must be METHOD, one space, the target, "
                   "one space and the HTTP version");
  auto version = rest.substr(second_space + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0")
    return refused("the HTTP version " + quoted(version)
                   + " is not HTTP/1.1 or HTTP/1.0");
  head_verdict v;
  v.http_1_0 = version == "HTTP/1.0";
  return v;
}

// -- header fields (RFC 9112 §5) ---------------------------------------------

struct field_line {
  std::string_view name;
  std::string_view value; ///< without surrounding whitespace
  std::string problem;    ///< empty when the line is well formed
};

field_line parse_field_line(std::string_view line) {
  field_line f;
  if (is_ows(line.front())) {
    // Either obs-fold or whitespace after the request line: both would be
    // joined to something else by a lenient parser.
    f.problem = "a header line starts with whitespace; obsolete line folding "
                "is not accepted";
    return f;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    f.problem = "the header line " + quoted(line) + " has no colon";
    return f;
  }
  f.name = line.substr(0, colon);
  if (f.name.empty()) {
    f.problem = "the header line " + quoted(line) + " has no field name";
    return f;
  }
  if (is_ows(f.name.back())) {
    f.problem = "the header name " + quoted(f.name)
                + " is followed by whitespace before its colon";
    return f;
  }
  if (!is_token(f.name)) {
    f.problem = "the header name " + quoted(f.name) + " is not a token";
    return f;
  }
  auto value = line.substr(colon + 1);
  for (char c : value)
    if (is_control(c) && c != '\t') {
      f.problem = "the value of header " + std::string(f.name)
                  + " contains the control byte " + hex_byte(c);
      return f;
    }
  f.value = trim_ows(value);
  return f;
}

// -- framing (RFC 9112 §6) ---------------------------------------------------

// 1*DIGIT below 2^63, so that the length fits every signed 64-bit consumer.
std::optional<std::uint64_t> parse_content_length(std::string_view s) {
  constexpr auto max = static_cast<std::uint64_t>(
    std::numeric_limits<std::int64_t>::max());
  if (s.empty())
    return std::nullopt;
  std::uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    auto digit = static_cast<std::uint64_t>(c - '0');
    if (n > (max - digit) / 10)
      return std::nullopt;
    n = n * 10 + digit;
  }
  return n;
}

// Sets the body framing from the Content-Length and Transfer-Encoding fields,
// or refuses the head when their meaning is not unique. Refusals keep the
// field counts, which tell a log reader what the client sent.
head_verdict apply_framing(head_verdict v, std::string_view content_length,
                           std::string_view transfer_encoding) {
  if (v.content_length_fields > 0 && v.transfer_encoding_fields > 0)
    return refused("the request has both Content-Length and "
                   "Transfer-Encoding; only one may frame the body",
                   v);
  if (v.content_length_fields > 1)
    return refused("the request has " + std::to_string(v.content_length_fields)
                     + " Content-Length fields; at most one is allowed",
                   v);
  if (v.transfer_encoding_fields > 1)
    return refused("the request has "
                     + std::to_string(v.transfer_encoding_fields)
                     + " Transfer-Encoding fields; at most one is allowed",
                   v);
  if (v.content_length_fields == 1) {
    v.content_length = parse_content_length(content_length);
    if (!v.content_length)
      return refused("Content-Length must be a decimal number below 2^63, "
                     "not " + quoted(content_length),
                     v);
    v.has_content_length = true;
  }
  if (v.transfer_encoding_fields == 1) {
    // One implementation's "gzip, chunked" or "xchunked" is another's
    // "no body": accept only the one coding parley decodes.
    if (!iequals(transfer_encoding, "chunked"))
      return refused("Transfer-Encoding must be exactly 'chunked' (parley "
                     "supports no other transfer coding), not "
                       + quoted(transfer_encoding),
                     v);
    if (v.http_1_0)
      return refused("Transfer-Encoding is not defined for HTTP/1.0 requests",
                     v);
    v.chunked = true;
  }
  return v;
}

} // namespace

head_verdict check_request_head(std::string_view head) {
  if (head.size() > max_head_bytes)
    return too_large("the request head is " + std::to_string(head.size())
                     + " bytes; at most " + std::to_string(max_head_bytes)
                     + " are accepted");
  if (auto problem = bare_line_break(head); !problem.empty())
    return refused(problem);
  if (head.size() < 4 || head.substr(head.size() - 4) != "\r\n\r\n")
    return refused("the request head does not end with an empty line");
  auto lines = split_lines(head);
  auto fields = static_cast<int>(lines.size()) - 1;
  if (fields > max_header_fields)
    return too_large("the request has " + std::to_string(fields)
                     + " header fields; at most "
                     + std::to_string(max_header_fields) + " are accepted");
  if (lines.empty() || lines.front().empty())
    return refused("the request line is empty");
  auto v = check_request_line(lines.front());
  if (!v.acceptable())
    return v;
  std::string_view content_length;
  std::string_view transfer_encoding;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    // An empty line here means the caller passed bytes beyond the head.
    if (lines[i].empty())
      return refused("the request head continues after its empty line");
    auto f = parse_field_line(lines[i]);
    if (!f.problem.empty())
      return refused(std::move(f.problem));
    if (iequals(f.name, "content-length")) {
      if (++v.content_length_fields == 1)
        content_length = f.value;
    } else if (iequals(f.name, "transfer-encoding")) {
      if (++v.transfer_encoding_fields == 1)
        transfer_encoding = f.value;
    } else if (iequals(f.name, "expect") && iequals(f.value, "100-continue")) {
      v.expect_continue = true;
    }
  }
  return apply_framing(v, content_length, transfer_encoding);
}

head_verdict check_trailer_fields(const std::vector<std::string>& names) {
  // Fields that frame or route a request; a trailer arrives after both.
  static constexpr std::string_view forbidden[] = {
    "Content-Length", "Transfer-Encoding", "Host", "Content-Type", "Trailer"};
  for (const auto& name : names)
    for (auto f : forbidden)
      if (iequals(name, f))
        return refused("the trailer carries " + std::string(f)
                       + ", which only the header section may carry");
  return {};
}

} // namespace parley
