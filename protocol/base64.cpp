#include "protocol/base64.hpp"

#include <openssl/evp.h>

#include <vector>

namespace parley {

std::string base64_encode(const std::string& data) {
  std::vector<unsigned char> out(4 * ((data.size() + 2) / 3) + 1);
  auto n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(data.data()),
                           static_cast<int>(data.size()));
  return std::string(reinterpret_cast<char*>(out.data()), static_cast<size_t>(n));
}

} // namespace parley
