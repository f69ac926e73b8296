// A mail anyone can send to the owner, as `draft:` reads it (GMime) and
// answers it: whatever it holds, the reply's headers stay the reply's own
// (no line break reaches a header value, so no Bcc: can be smuggled in) and
// the gate's line reads back as it was written.
#include "protocol/mail_reply.hpp"
#include "protocol/rfc822.hpp"
#include "tests/fuzz/check.hpp"

using namespace parley;
using fuzz::require;

namespace {

bool one_line(const std::string& s) {
  return s.find('\r') == std::string::npos && s.find('\n') == std::string::npos;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string raw(reinterpret_cast<const char*>(data), size);
  auto m = rfc822::read(raw);
  require(one_line(m.from) && one_line(m.address) && one_line(m.subject)
            && one_line(m.message_id) && one_line(m.references),
          "header values of a read mail are single lines");
  auto r = reply_to(m, "Thanks, noted.");
  std::string error;
  auto back = reply_of_line(line_of(r), error);
  require(back.subject == r.subject && back.in_reply_to == r.in_reply_to,
          "the gate's line reads back as written");
  rfc822::reply_envelope e;
  e.from_address = "owner@example.com";
  e.to = "someone@example.com";
  e.subject = r.subject;
  e.in_reply_to = r.in_reply_to;
  e.references = r.references;
  e.message_id = "parley.fuzz.1@example.com";
  e.date_ms = 1796112900000LL;
  auto out = rfc822::write_reply(e, r.body);
  auto head = out.substr(0, out.find("\r\n\r\n"));
  require(head.find("\nBcc:") == std::string::npos && head.find("\nbcc:") == std::string::npos,
          "no header is smuggled into the reply");
  return 0;
}
