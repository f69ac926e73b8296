#pragma once

// The operator's DASHBOARD under /dashboard: its pages (files embedded from
// actors/app/dashboard/), the log-in with the admin token, and the sessions
// that let its pages use the admin API. Safe on the open internet: a
// server-side session in an HttpOnly, SameSite=Strict cookie (Secure over
// HTTPS), a CSRF token on every change, failed log-ins limited per address,
// no token in any URL, and headers that forbid inline script and framing.

#include "net/http_types.hpp"
#include "protocol/config.hpp"
#include "protocol/login_sessions.hpp"

#include <memory>
#include <mutex>
#include <optional>

namespace parley {

class dashboard {
public:
  explicit dashboard(std::shared_ptr<const config> cfg);

  /// Answers /dashboard and everything under it.
  void handle(const net::http_request& req, const net::respond_fn& respond);

  /// Whether `req` may use the admin API: nullopt when it may (the bearer
  /// token, or a live session — with its CSRF token on anything but a read),
  /// otherwise the refusal to send.
  std::optional<net::http_response> refuse_api(const net::http_request& req);

  /// The headers every dashboard and admin API answer carries.
  static void harden(net::http_response& res);

private:
  std::optional<login_session> session_of(const net::http_request& req);
  bool secure(const net::http_request& req) const;
  std::string address(const net::http_request& req) const;
  net::http_response log_in(const net::http_request& req);
  net::http_response log_out(const net::http_request& req);

  std::shared_ptr<const config> cfg_;
  std::mutex mutex_;  ///< the HTTP threads share the sessions
  login_sessions sessions_;
  login_throttle throttle_;
};

} // namespace parley
