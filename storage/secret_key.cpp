#include "storage/secret_key.hpp"

#include "protocol/secret_box.hpp"

#include <sodium.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace parley::storage {

std::string random_bytes(size_t n) {
  static const bool ready = sodium_init() >= 0;
  if (!ready)
    throw std::runtime_error("libsodium could not be initialised");
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string load_secret_key(const config& cfg) {
  if (!cfg.secret_key.empty()) {
    auto key = secrets::decode_key(cfg.secret_key);
    if (!key)
      throw std::runtime_error("the variable named by secret_key_env must hold 32 bytes in base64");
    return *key;
  }
  auto path = (std::filesystem::path(cfg.data_dir) / "secret.key").string();
  std::ifstream in(path);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    auto key = secrets::decode_key(text.str());
    if (!key)
      throw std::runtime_error(path + " does not hold a 32-byte key in base64");
    return *key;
  }
  std::filesystem::create_directories(cfg.data_dir);
  auto raw = random_bytes(secrets::key_size);
  // O_EXCL: two processes starting at once do not overwrite each other's key.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    return load_secret_key(cfg);  // another process just wrote it
  auto text = secrets::encode_key(raw) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::fsync(fd);
  ::close(fd);
  if (!ok)
    throw std::runtime_error("cannot write " + path);
  return raw;
}

} // namespace parley::storage
