#include "protocol/password.hpp"

#include <sodium.h>

#include <cstring>

namespace parley::password {

namespace {

bool starts_with(const std::string& s, const char* prefix) {
  return s.compare(0, std::strlen(prefix), prefix) == 0;
}

bool scrypt(const std::string& hash) { return starts_with(hash, "$7$"); }

} // namespace

bool recognised(const std::string& hash) {
  if (sodium_init() < 0)
    return false;
  if (hash.size() >= crypto_pwhash_STRBYTES)
    return false;
  return starts_with(hash, "$argon2id$") || starts_with(hash, "$argon2i$")
         || (scrypt(hash) && hash.size() < crypto_pwhash_scryptsalsa208sha256_STRBYTES);
}

bool matches(const std::string& hash, const std::string& attempt) {
  if (!recognised(hash))
    return false;
  // The verify functions read a NUL-terminated string of at most STRBYTES.
  char stored[crypto_pwhash_STRBYTES] = {};
  std::memcpy(stored, hash.data(), hash.size());
  return scrypt(hash)
           ? crypto_pwhash_scryptsalsa208sha256_str_verify(stored, attempt.data(),
                                                           attempt.size()) == 0
           : crypto_pwhash_str_verify(stored, attempt.data(), attempt.size()) == 0;
}

std::string hash(const std::string& password) {
  if (sodium_init() < 0)
    return {};
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return {};
  return out;
}

} // namespace parley::password
