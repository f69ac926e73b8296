#pragma once

// Base64 (RFC 4648): encoding through OpenSSL for HTTP Basic credentials,
// decoding of the URL-safe alphabet (Gmail's raw messages) through libsodium.

#include <string>

namespace parley {

std::string base64_encode(const std::string& data);

/// base64url with or without padding; false for anything else.
bool base64url_decode(const std::string& text, std::string& out);

} // namespace parley
