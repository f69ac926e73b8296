#pragma once

// Meta's X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw body.

#include <string>
#include <string_view>

namespace parley {

/// Lower-case hex HMAC-SHA256 of `data` keyed with `secret`.
std::string hmac_sha256_hex(std::string_view secret, std::string_view data);

/// The header value Meta sends for `body`.
std::string meta_signature(std::string_view secret, std::string_view body);

/// Checks a header value against the body in constant time (for equal
/// lengths). An empty secret never verifies.
bool verify_meta_signature(std::string_view secret, std::string_view body,
                           std::string_view header);

/// Compares two strings without an early exit on the first difference.
bool constant_time_equal(std::string_view a, std::string_view b);

/// Lower-case hex SHA-256, used to keep phone numbers out of logs and runs.
std::string sha256_hex(std::string_view data);

} // namespace parley
