#pragma once

// Base64 (RFC 4648) through OpenSSL, for HTTP Basic credentials.

#include <string>

namespace parley {

std::string base64_encode(const std::string& data);

} // namespace parley
