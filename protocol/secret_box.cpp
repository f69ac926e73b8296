#include "protocol/secret_box.hpp"

#include <sodium.h>

#include <vector>

namespace parley::secrets {

namespace {

const unsigned char* bytes(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

} // namespace

std::string bound_to(const std::string& tenant, const std::string& provider) {
  return tenant + std::string(1, '\0') + provider;
}

sealed seal(const std::string& key, int32_t version, const std::string& nonce,
            const std::string& plaintext, const std::string& associated) {
  sealed s;
  s.key_version = version;
  s.nonce = nonce;
  std::vector<unsigned char> out(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long n = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &n, bytes(plaintext), plaintext.size(),
                                             bytes(associated), associated.size(), nullptr,
                                             bytes(nonce), bytes(key));
  s.ciphertext.assign(reinterpret_cast<char*>(out.data()), static_cast<size_t>(n));
  return s;
}

std::optional<std::string> open(const std::string& key, const sealed& s,
                                const std::string& associated) {
  if (key.size() != key_size || s.nonce.size() != nonce_size
      || s.ciphertext.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES)
    return std::nullopt;
  std::vector<unsigned char> out(s.ciphertext.size());
  unsigned long long n = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &n, nullptr, bytes(s.ciphertext),
                                                 s.ciphertext.size(), bytes(associated),
                                                 associated.size(), bytes(s.nonce), bytes(key))
      != 0)
    return std::nullopt;
  return std::string(reinterpret_cast<char*>(out.data()), static_cast<size_t>(n));
}

std::optional<std::string> decode_key(const std::string& base64) {
  std::vector<unsigned char> out(key_size + 8);
  size_t n = 0;
  if (sodium_base642bin(out.data(), out.size(), base64.data(), base64.size(), " \r\n", &n,
                        nullptr, sodium_base64_VARIANT_ORIGINAL)
        != 0
      || n != key_size)
    return std::nullopt;
  return std::string(reinterpret_cast<char*>(out.data()), n);
}

std::string encode_key(const std::string& raw) {
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes(raw), raw.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

} // namespace parley::secrets
