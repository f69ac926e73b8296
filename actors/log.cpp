#include "actors/log.hpp"

#include "protocol/signature.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace parley::log {

namespace {

std::mutex mtx;

void emit(const char* level, const std::string& line) {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto t = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard<std::mutex> guard(mtx);
  std::fprintf(stderr, "%s.%03dZ %s %s\n", stamp, static_cast<int>(ms), level,
               line.c_str());
}

} // namespace

void info(const std::string& line) { emit("INFO ", line); }
void warn(const std::string& line) { emit("WARN ", line); }
void error(const std::string& line) { emit("ERROR", line); }

std::string who(const std::string& phone) {
  return "#" + sha256_hex(phone).substr(0, 10);
}

} // namespace parley::log
