#define CAF_SUITE http_framing
#include "protocol/http_framing.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace parley;
using namespace std::string_literals;

namespace {

const std::string post = "POST /webhooks/meta/whatsapp HTTP/1.1";

// A request head from its lines: each ended with CRLF, then the empty line.
std::string head_of(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines)
    out += line + "\r\n";
  return out + "\r\n";
}

// The verdict on a webhook POST carrying these header fields.
head_verdict post_with(const std::vector<std::string>& fields) {
  std::vector<std::string> lines{post};
  lines.insert(lines.end(), fields.begin(), fields.end());
  return check_request_head(head_of(lines));
}

bool mentions(const head_verdict& v, const std::string& words) {
  return v.detail.find(words) != std::string::npos;
}

} // namespace

// -- accepted heads -----------------------------------------------------------

CAF_TEST(a plain post with a content length is accepted with its length) {
  auto v = post_with({"Host: parley.example", "Content-Type: application/json",
                      "Content-Length: 42"});
  CAF_CHECK(v.acceptable());
  CAF_CHECK_EQUAL(v.status, 0u);
  CAF_CHECK(v.has_content_length);
  CAF_REQUIRE(v.content_length.has_value());
  CAF_CHECK_EQUAL(*v.content_length, 42u);
  CAF_CHECK_EQUAL(v.content_length_fields, 1);
  CAF_CHECK_EQUAL(v.transfer_encoding_fields, 0);
  CAF_CHECK(!v.chunked);
  CAF_CHECK(!v.expect_continue);
  CAF_CHECK(!v.http_1_0);
}

CAF_TEST(a chunked post is accepted as chunked) {
  auto v = post_with({"Host: parley.example", "Transfer-Encoding: chunked"});
  CAF_CHECK(v.acceptable());
  CAF_CHECK(v.chunked);
  CAF_CHECK(!v.has_content_length);
  CAF_CHECK_EQUAL(v.transfer_encoding_fields, 1);
}

CAF_TEST(a get without any header fields is accepted) {
  CAF_CHECK(check_request_head("GET / HTTP/1.1\r\n\r\n").acceptable());
  auto v = check_request_head("GET /health HTTP/1.0\r\n\r\n");
  CAF_CHECK(v.acceptable());
  CAF_CHECK(v.http_1_0);
}

CAF_TEST(field names are matched without regard to case) {
  CAF_CHECK(post_with({"content-length: 5"}).has_content_length);
  CAF_CHECK(post_with({"CONTENT-LENGTH: 5"}).has_content_length);
  CAF_CHECK(post_with({"Transfer-encoding: chunked"}).chunked);
  CAF_CHECK_EQUAL(post_with({"content-length: 5", "TRANSFER-ENCODING: chunked"})
                    .status,
                  400u);
  CAF_CHECK_EQUAL(post_with({"content-length: 5", "CONTENT-LENGTH: 5"}).status,
                  400u);
}

CAF_TEST(expect 100 continue is reported so a large body is refused unread) {
  auto v = post_with({"Content-Length: 10", "Expect: 100-continue"});
  CAF_CHECK(v.acceptable());
  CAF_CHECK(v.expect_continue);
  CAF_CHECK(post_with({"Content-Length: 10", "expect:  100-Continue "})
              .expect_continue);
}

CAF_TEST(whitespace around a field value and tabs inside it are allowed) {
  auto v = post_with({"Content-Length: \t7 ", "X-Note: a\tb"});
  CAF_CHECK(v.acceptable());
  CAF_REQUIRE(v.content_length.has_value());
  CAF_CHECK_EQUAL(*v.content_length, 7u);
  CAF_CHECK(post_with({"Transfer-Encoding:  CHUNKED\t"}).chunked);
}

// -- size limits --------------------------------------------------------------

CAF_TEST(a head of exactly 8 KB is accepted and one byte more gets 431) {
  auto padded = [](std::size_t total) {
    auto bare = head_of({post, "Content-Length: 0", "X-Pad: "});
    return head_of({post, "Content-Length: 0",
                    "X-Pad: " + std::string(total - bare.size(), 'a')});
  };
  auto fits = padded(max_head_bytes);
  CAF_REQUIRE_EQUAL(fits.size(), max_head_bytes);
  CAF_CHECK(check_request_head(fits).acceptable());
  auto over = padded(max_head_bytes + 1);
  CAF_REQUIRE_EQUAL(over.size(), max_head_bytes + 1);
  auto v = check_request_head(over);
  CAF_CHECK_EQUAL(v.status, 431u);
  CAF_CHECK_EQUAL(v.code, "header_too_large");
  CAF_CHECK(mentions(v, "8192"));
}

CAF_TEST(exactly 100 header fields are accepted and 101 get 431) {
  std::vector<std::string> fields{"Content-Length: 0"};
  while (fields.size() < static_cast<std::size_t>(max_header_fields))
    fields.push_back("X-Field-" + std::to_string(fields.size()) + ": v");
  CAF_CHECK(post_with(fields).acceptable());
  fields.push_back("X-One-Too-Many: v");
  auto v = post_with(fields);
  CAF_CHECK_EQUAL(v.status, 431u);
  CAF_CHECK_EQUAL(v.code, "header_too_large");
  CAF_CHECK(mentions(v, "101 header fields"));
}

// -- line ends and control bytes ----------------------------------------------

CAF_TEST(a bare lf line end is refused) {
  auto v = check_request_head(post + "\r\nHost: a\nContent-Length: 0\r\n\r\n");
  CAF_CHECK_EQUAL(v.status, 400u);
  CAF_CHECK_EQUAL(v.code, "bad_request");
  CAF_CHECK(mentions(v, "bare LF"));
  CAF_CHECK_EQUAL(check_request_head(post + "\nHost: a\n\n").status, 400u);
  CAF_CHECK_EQUAL(check_request_head(post + "\r\nHost: a\r\n\n").status, 400u);
}

CAF_TEST(a bare cr is refused) {
  auto v = check_request_head(post + "\r\nHost: a\rX-B: c\r\n\r\n");
  CAF_CHECK_EQUAL(v.status, 400u);
  CAF_CHECK(mentions(v, "bare CR"));
}

CAF_TEST(a head that does not end with an empty line is refused) {
  CAF_CHECK_EQUAL(check_request_head(post + "\r\nHost: a\r\n").status, 400u);
  CAF_CHECK_EQUAL(check_request_head("").status, 400u);
  CAF_CHECK_EQUAL(check_request_head("\r\n\r\n").status, 400u);
  // Bytes past the empty line belong to the body, not to the head.
  CAF_CHECK_EQUAL(check_request_head(post + "\r\n\r\nHost: a\r\n\r\n").status,
                  400u);
}

CAF_TEST(a nul byte in a header value is refused) {
  auto v = post_with({"Content-Length: 0", "X-Test: a\0b"s});
  CAF_CHECK_EQUAL(v.status, 400u);
  CAF_CHECK(mentions(v, "0x00"));
}

CAF_TEST(other control bytes in a header value are refused but a tab is not) {
  auto v = post_with({"Content-Length: 0", "X-Test: a"s + '\x01' + "z"});
  CAF_CHECK_EQUAL(v.status, 400u);
  CAF_CHECK(mentions(v, "0x01"));
  CAF_CHECK_EQUAL(post_with({"X-Test: a"s + '\x7f' + "z"}).status, 400u);
  CAF_CHECK_EQUAL(post_with({"X-Test: a"s + '\x1b' + "z"}).status, 400u);
  CAF_CHECK(post_with({"X-Test: a\tz"}).acceptable());
}

CAF_TEST(a control byte in the request line or a field name is refused) {
  auto nul = check_request_head("POST /a\0b HTTP/1.1\r\n\r\n"s);
  CAF_CHECK_EQUAL(nul.status, 400u);
  CAF_CHECK(mentions(nul, "0x00"));
  CAF_CHECK_EQUAL(check_request_head("POST\t/ HTTP/1.1\r\n\r\n").status, 400u);
  CAF_CHECK_EQUAL(post_with({"X-Te"s + '\x01' + "st: a"}).status, 400u);
}

// -- the request line ---------------------------------------------------------

CAF_TEST(a method that is not a token is refused) {
  auto v = check_request_head("PO(ST /webhooks/meta/whatsapp HTTP/1.1\r\n\r\n");
  CAF_CHECK_EQUAL(v.status, 400u);
  CAF_CHECK(mentions(v, "PO(ST"));
  CAF_CHECK_EQUAL(check_request_head(" / HTTP/1.1\r\n\r\n").status, 400u);
  CAF_CHECK_EQUAL(check_request_head("GET\"/ HTTP/1.1\r\n\r\n").status, 400u);
}

CAF_TEST(a request line must have single spaces and a known version) {
  for (auto line :
       {"POST  /a HTTP/1.1", "POST /a  HTTP/1.1", "POST /a HTTP/1.1 ",
        "POST /a", "POST", "POST /a HTTP/2.0", "POST /a http/1.1",
        "POST /a HTTP/1.1x", "POST / a HTTP/1.1"})
    CAF_CHECK_EQUAL(check_request_head(head_of({line})).status, 400u);
}

// -- header field names -------------------------------------------------------

CAF_TEST(whitespace before the colon of a field is refused) {
  auto v = post_with({"Content-Length : 5"});
  CAF_CHECK_EQUAL(v.status, 400u);
  CAF_CHECK(mentions(v, "before its colon"));
  CAF_CHECK_EQUAL(post_with({"Transfer-Encoding\t: chunked"}).status, 400u);
}

CAF_TEST(a field name that is not a token or a line without colon is refused) {
  CAF_CHECK_EQUAL(post_with({"X Y: 1"}).status, 400u);
  CAF_CHECK_EQUAL(post_with({"X(Y): 1"}).status, 400u);
  CAF_CHECK_EQUAL(post_with({": 1"}).status, 400u);
  CAF_CHECK_EQUAL(post_with({"no colon here"}).status, 400u);
}

CAF_TEST(obsolete line folding is refused) {
  auto v = post_with({"Transfer-Encoding:", " chunked"});
  CAF_CHECK_EQUAL(v.status, 400u);
  CAF_CHECK(mentions(v, "folding"));
  CAF_CHECK_EQUAL(post_with({"X-A: b", "\tc"}).status, 400u);
  // Whitespace right after the request line is refused the same way.
  CAF_CHECK_EQUAL(post_with({" Host: a"}).status, 400u);
}

// -- framing ------------------------------------------------------------------

CAF_TEST(content length and transfer encoding together are refused) {
  auto cl_first = post_with(
    {"Content-Length: 5", "Transfer-Encoding: chunked"});
  CAF_CHECK_EQUAL(cl_first.status, 400u);
  CAF_CHECK(mentions(cl_first, "both Content-Length and Transfer-Encoding"));
  auto te_first = post_with(
    {"Transfer-Encoding: chunked", "Content-Length: 5"});
  CAF_CHECK_EQUAL(te_first.status, 400u);
  CAF_CHECK_EQUAL(te_first.content_length_fields, 1);
  CAF_CHECK_EQUAL(te_first.transfer_encoding_fields, 1);
}

CAF_TEST(two content length fields are refused even when identical) {
  auto same = post_with({"Content-Length: 5", "Content-Length: 5"});
  CAF_CHECK_EQUAL(same.status, 400u);
  CAF_CHECK_EQUAL(same.content_length_fields, 2);
  CAF_CHECK(mentions(same, "2 Content-Length fields"));
  CAF_CHECK_EQUAL(post_with({"Content-Length: 5", "Content-Length: 6"}).status,
                  400u);
}

CAF_TEST(a content length that is not plain digits is refused) {
  for (auto value :
       {"+5", "-5", "5 5", "5, 5", "5,5", "", "0x10", "5.0", "five",
        "9223372036854775808", "18446744073709551616",
        "99999999999999999999999"}) {
    auto v = post_with({"Content-Length: "s + value});
    CAF_CHECK_EQUAL(v.status, 400u);
    CAF_CHECK(!v.has_content_length);
  }
}

CAF_TEST(the largest content length below 2 to the 63 is accepted) {
  auto v = post_with({"Content-Length: 9223372036854775807"});
  CAF_CHECK(v.acceptable());
  CAF_REQUIRE(v.content_length.has_value());
  CAF_CHECK_EQUAL(*v.content_length, 9223372036854775807u);
  auto zeros = post_with({"Content-Length: 007"});
  CAF_REQUIRE(zeros.content_length.has_value());
  CAF_CHECK_EQUAL(*zeros.content_length, 7u);
}

CAF_TEST(a transfer encoding other than exactly chunked is refused) {
  for (auto value : {"xchunked", "chunked, chunked", "gzip, chunked", "gzip",
                     "identity", "", "chunked;q=1", "chunkedx", "chun ked"}) {
    auto v = post_with({"Transfer-Encoding: "s + value});
    CAF_CHECK_EQUAL(v.status, 400u);
    CAF_CHECK(!v.chunked);
  }
  CAF_CHECK(mentions(post_with({"Transfer-Encoding: gzip"}), "'gzip'"));
}

CAF_TEST(two transfer encoding fields are refused) {
  auto v = post_with(
    {"Transfer-Encoding: chunked", "Transfer-Encoding: chunked"});
  CAF_CHECK_EQUAL(v.status, 400u);
  CAF_CHECK_EQUAL(v.transfer_encoding_fields, 2);
  CAF_CHECK_EQUAL(post_with({"Transfer-Encoding: gzip",
                             "Transfer-Encoding: chunked"})
                    .status,
                  400u);
}

CAF_TEST(transfer encoding on an http 1.0 request is refused) {
  const std::string post_1_0 = "POST /webhooks/meta/whatsapp HTTP/1.0";
  auto v = check_request_head(
    head_of({post_1_0, "Transfer-Encoding: chunked"}));
  CAF_CHECK_EQUAL(v.status, 400u);
  CAF_CHECK(mentions(v, "HTTP/1.0"));
  auto with_length = check_request_head(
    head_of({post_1_0, "Content-Length: 3"}));
  CAF_CHECK(with_length.acceptable());
}

// -- trailers -----------------------------------------------------------------

CAF_TEST(a trailer carrying a framing or routing field is refused) {
  for (auto name : {"Content-Length", "content-length", "Transfer-Encoding",
                    "TRANSFER-ENCODING", "Host", "host", "Content-Type",
                    "content-TYPE", "Trailer", "trailer"}) {
    auto v = check_trailer_fields({"X-Checksum", name});
    CAF_CHECK_EQUAL(v.status, 400u);
    CAF_CHECK_EQUAL(v.code, "bad_request");
  }
  CAF_CHECK(mentions(check_trailer_fields({"content-length"}),
                     "Content-Length"));
}

CAF_TEST(a trailer with other fields or none is accepted) {
  CAF_CHECK(check_trailer_fields({}).acceptable());
  CAF_CHECK(check_trailer_fields({"X-Checksum", "Server-Timing"}).acceptable());
}
