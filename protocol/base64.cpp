#include "protocol/base64.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <vector>

namespace parley {

std::string base64_encode(const std::string& data) {
  std::vector<unsigned char> out(4 * ((data.size() + 2) / 3) + 1);
  auto n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(data.data()),
                           static_cast<int>(data.size()));
  return std::string(reinterpret_cast<char*>(out.data()), static_cast<size_t>(n));
}

bool base64url_decode(const std::string& text, std::string& out) {
  out.assign(text.size() * 3 / 4 + 3, '\0');
  size_t n = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), "=\r\n", &n, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return false;
  out.resize(n);
  return true;
}

} // namespace parley
