#pragma once

// Credentials at rest: XChaCha20-Poly1305 (libsodium) with the tenant and
// provider as associated data, so a sealed token cannot be moved to another
// tenant's row, and a key version for rotation. The caller supplies the
// random nonce (storage/ reads the system's randomness).

#include <cstdint>
#include <optional>
#include <string>

namespace parley::secrets {

constexpr size_t key_size = 32;
constexpr size_t nonce_size = 24;

struct sealed {
  int32_t key_version = 1;
  std::string nonce;       ///< nonce_size raw bytes
  std::string ciphertext;  ///< raw bytes, with the authentication tag
};

/// "tenant\0provider": what a sealed value is bound to.
std::string bound_to(const std::string& tenant, const std::string& provider);

sealed seal(const std::string& key, int32_t version, const std::string& nonce,
            const std::string& plaintext, const std::string& associated);

/// The plaintext, or nothing when the key, the data or the binding is wrong.
std::optional<std::string> open(const std::string& key, const sealed& s,
                                const std::string& associated);

/// A key given as base64 (32 bytes), or nothing.
std::optional<std::string> decode_key(const std::string& base64);

std::string encode_key(const std::string& raw);

} // namespace parley::secrets
