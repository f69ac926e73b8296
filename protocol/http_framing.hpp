#pragma once

// The strict HTTP edge: checks the raw head of a request before Beast parses
// it. Debian's Boost 1.74 predates Beast's request-smuggling fixes: it unfolds
// obs-fold, takes "5, 5" as a Content-Length and reads "xchunked" as no
// coding at all (so the body becomes the next request). Anything that two
// HTTP implementations could frame differently is refused here, so Beast only
// ever sees heads with one meaning.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

/// Bytes in a request head, request line and terminating empty line included.
constexpr std::size_t max_head_bytes = 8192;

/// Header fields in a request head (the request line does not count).
constexpr int max_header_fields = 100;

/// What the edge makes of a request head: acceptable (status 0) or refused
/// with the status, error code and sentence of the answer; plus the framing
/// the body must then follow.
struct head_verdict {
  unsigned status = 0;  ///< 0: acceptable; else 400 or 431
  std::string code;     ///< "bad_request" or "header_too_large"
  std::string detail;   ///< a sentence naming the problem, for the client
  bool chunked = false; ///< Transfer-Encoding: chunked
  bool has_content_length = false;
  int transfer_encoding_fields = 0;
  int content_length_fields = 0;
  /// The body's length when a valid Content-Length was sent.
  std::optional<std::uint64_t> content_length;
  /// Expect: 100-continue, so the client waits before sending its body: a
  /// body that is too large must then be refused without reading it.
  bool expect_continue = false;
  /// HTTP/1.0 (else HTTP/1.1, the only other version accepted).
  bool http_1_0 = false;

  bool acceptable() const { return status == 0; }
};

/// Checks a request line and header section. `head` runs up to and including
/// the empty line that ends it ("\r\n\r\n"); every line must end with CRLF.
/// The size is checked first: a caller that found no end within
/// `max_head_bytes` may pass what it has read (more than that) to get the 431.
head_verdict check_request_head(std::string_view head);

/// Checks the field names of a chunked body's trailer: one that carries
/// framing or routing (Content-Length, Transfer-Encoding, Host, Content-Type,
/// Trailer) is refused, since a recipient that merges trailers into the
/// header section would be misled by it.
head_verdict check_trailer_fields(const std::vector<std::string>& names);

} // namespace parley
