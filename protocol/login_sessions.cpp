#include "protocol/login_sessions.hpp"

namespace parley {

void login_sessions::open(const std::string& id, const std::string& csrf, int64_t now_ms) {
  for (auto i = sessions_.begin(); i != sessions_.end();)
    i = i->second.expires_ms <= now_ms ? sessions_.erase(i) : std::next(i);
  sessions_[id] = {csrf, now_ms + lifetime_ms_};
}

std::optional<login_session> login_sessions::find(const std::string& id, int64_t now_ms) {
  auto i = sessions_.find(id);
  if (i == sessions_.end())
    return std::nullopt;
  if (i->second.expires_ms <= now_ms) {
    sessions_.erase(i);
    return std::nullopt;
  }
  return i->second;
}

void login_throttle::forget_old(int64_t now_ms) {
  for (auto i = failures_.begin(); i != failures_.end();) {
    auto& times = i->second;
    while (!times.empty() && times.front() <= now_ms - window_ms_)
      times.pop_front();
    i = times.empty() ? failures_.erase(i) : std::next(i);
  }
}

int64_t login_throttle::wait_ms(const std::string& address, int64_t now_ms) {
  // Forgetting is a walk over every address: done only while the map is
  // large, so that many addresses cannot make it grow without bound.
  if (failures_.size() > 1000)
    forget_old(now_ms);
  auto i = failures_.find(address);
  if (i == failures_.end())
    return 0;
  auto& times = i->second;
  while (!times.empty() && times.front() <= now_ms - window_ms_)
    times.pop_front();
  if (times.size() < max_failures_)
    return 0;
  return times.front() + window_ms_ - now_ms;
}

void login_throttle::failed(const std::string& address, int64_t now_ms) {
  failures_[address].push_back(now_ms);
}

std::string cookie_value(const std::string& header, const std::string& name) {
  size_t at = 0;
  while (at < header.size()) {
    auto end = header.find(';', at);
    if (end == std::string::npos)
      end = header.size();
    auto pair = header.substr(at, end - at);
    auto first = pair.find_first_not_of(' ');
    if (first != std::string::npos) {
      pair = pair.substr(first);
      auto eq = pair.find('=');
      if (eq != std::string::npos && pair.compare(0, eq, name) == 0 && eq == name.size())
        return pair.substr(eq + 1);
    }
    at = end + 1;
  }
  return {};
}

std::string session_cookie(const std::string& name, const std::string& value,
                           int64_t max_age_s, bool secure) {
  return name + "=" + value + "; Path=/; Max-Age=" + std::to_string(max_age_s)
         + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

} // namespace parley
