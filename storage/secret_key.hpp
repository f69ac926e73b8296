#pragma once

// The key that seals credentials at rest: from the environment variable
// secret_key_env names (32 bytes, base64), or <data_dir>/secret.key, created
// with mode 0600 on first use. And the system's randomness for nonces.

#include "protocol/config.hpp"

#include <string>

namespace parley::storage {

/// The raw 32-byte key; throws std::runtime_error with a sentence.
std::string load_secret_key(const config& cfg);

/// `n` bytes from the system's cryptographic randomness.
std::string random_bytes(size_t n);

} // namespace parley::storage
