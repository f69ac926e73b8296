#pragma once

// The dashboard's log-ins: server-side sessions that expire, a limit on
// failed attempts per address, and the cookie that carries a session. Pure:
// the caller passes the time and the random ids, and holds any lock.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace parley {

struct login_session {
  std::string csrf;  ///< sent back with every change (X-CSRF-Token)
  int64_t expires_ms = 0;
};

class login_sessions {
public:
  explicit login_sessions(int64_t lifetime_ms) : lifetime_ms_(lifetime_ms) {}

  /// Opens a session under `id` (random, from the caller); expired ones go.
  void open(const std::string& id, const std::string& csrf, int64_t now_ms);
  /// The session, while it has not expired.
  std::optional<login_session> find(const std::string& id, int64_t now_ms);
  void close(const std::string& id) { sessions_.erase(id); }
  size_t size() const { return sessions_.size(); }

private:
  int64_t lifetime_ms_;
  std::map<std::string, login_session> sessions_;
};

/// At most `max_failures` failed log-ins per address within `window_ms`;
/// beyond that the address waits until its oldest failure leaves the window.
class login_throttle {
public:
  explicit login_throttle(size_t max_failures = 5, int64_t window_ms = 60000)
    : max_failures_(max_failures), window_ms_(window_ms) {}

  /// 0: the address may try now; otherwise the milliseconds to wait.
  int64_t wait_ms(const std::string& address, int64_t now_ms);
  void failed(const std::string& address, int64_t now_ms);
  void succeeded(const std::string& address) { failures_.erase(address); }

private:
  void forget_old(int64_t now_ms);
  size_t max_failures_;
  int64_t window_ms_;
  std::map<std::string, std::deque<int64_t>> failures_;
};

/// The value of cookie `name` in a Cookie header ("a=1; b=2"), "" if absent.
std::string cookie_value(const std::string& header, const std::string& name);

/// The Set-Cookie value for a session: HttpOnly, SameSite=Strict, Path=/,
/// Secure when the browser reached parley over HTTPS. An empty `value`
/// with max_age 0 removes the cookie.
std::string session_cookie(const std::string& name, const std::string& value,
                           int64_t max_age_s, bool secure);

} // namespace parley
