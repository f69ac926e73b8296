#include "actors/log.hpp"

#include "protocol/signature.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace parley::log {

namespace {

std::mutex mtx;
std::atomic<format> chosen{format::text};

void emit(const char* level, const std::string& line, int64_t run) {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto t = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[40];
  auto n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(ms));
  std::string out;
  if (chosen.load(std::memory_order_relaxed) == format::json) {
    nlohmann::json j = {{"time", stamp}, {"level", level}, {"message", line}};
    if (run > 0)
      j["run"] = run;
    // Invalid UTF-8 (a message's text with log_text on) is replaced, not thrown.
    out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    char head[16];
    std::snprintf(head, sizeof head, "%-5s", level);
    for (char* c = head; *c; ++c)
      *c = static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
    out = std::string(stamp) + " " + head + " " + line;
    if (run > 0)
      out += " run=" + std::to_string(run);
  }
  std::lock_guard<std::mutex> guard(mtx);
  std::fprintf(stderr, "%s\n", out.c_str());
}

} // namespace

void set_format(format f) { chosen = f; }

void info(const std::string& line, int64_t run) { emit("info", line, run); }
void warn(const std::string& line, int64_t run) { emit("warn", line, run); }
void error(const std::string& line, int64_t run) { emit("error", line, run); }

std::string who(const std::string& phone) {
  return "#" + sha256_hex(phone).substr(0, 10);
}

} // namespace parley::log
