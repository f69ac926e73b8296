#include "storage/kept_media.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace parley::storage {

namespace fs = std::filesystem;

std::string keep_media_file(const std::string& root, const std::string& tenant,
                            const std::string& date, const std::string& name,
                            const std::string& bytes) {
  auto dir = fs::path(root) / tenant / date;
  auto path = (dir / name).string();
  auto fail = [&](const std::string& why) {
    return std::runtime_error("cannot keep " + path + ": " + why);
  };
  // Personal data: only parley's user may list or read it.
  for (auto level : {fs::path(root), fs::path(root) / tenant, dir}) {
    std::error_code ec;
    fs::create_directory(level, ec);
    if (ec)
      throw fail(ec.message());
    fs::permissions(level, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec)
      throw fail(ec.message());
  }
  auto partial = path + ".partial";
  int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw fail(std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    auto n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      auto why = std::strerror(errno);
      ::close(fd);
      ::unlink(partial.c_str());
      throw fail(why);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    auto why = std::strerror(errno);
    ::unlink(partial.c_str());
    throw fail(why);
  }
  if (::rename(partial.c_str(), path.c_str()) != 0) {
    auto why = std::strerror(errno);
    ::unlink(partial.c_str());
    throw fail(why);
  }
  return path;
}

} // namespace parley::storage
