#pragma once

// The dashboard's optional password, kept only as a hash (libsodium's
// crypto_pwhash string: Argon2id, or scrypt written as "$7$"). Pure: no I/O.

#include <string>

namespace parley::password {

/// Whether `hash` is a hash this build can check (the config refuses others).
bool recognised(const std::string& hash);

/// Whether `attempt` is the password `hash` was made from (constant time in
/// the attempt; costs the hash's own work, tens of milliseconds).
bool matches(const std::string& hash, const std::string& attempt);

/// A new Argon2id hash of `password` with libsodium's interactive limits
/// (`parley hash-password`); empty when the machine lacks the memory.
std::string hash(const std::string& password);

} // namespace parley::password
