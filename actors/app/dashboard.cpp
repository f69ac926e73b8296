#include "actors/app/dashboard.hpp"

#include "actors/app/dashboard_files.hpp"
#include "protocol/google_api.hpp"
#include "protocol/password.hpp"
#include "protocol/types.hpp"
#include "protocol/signature.hpp"
#include "protocol/url.hpp"
#include "storage/secret_key.hpp"

#include <nlohmann/json.hpp>

#include <cstring>

namespace parley {

namespace {

const std::string cookie_name = "parley_session";

/// Sessions and failed log-ins are timed on the monotonic clock: a step of
/// the wall clock neither ends nor prolongs them.
int64_t now_ms() { return steady_us() / 1000; }

const dashboard_file* file_named(const std::string& name) {
  for (auto& f : dashboard_files())
    if (name == f.name)
      return &f;
  return nullptr;
}

net::http_response page(const std::string& name, unsigned status = 200) {
  auto* f = file_named(name);
  if (!f)
    return net::json_error(404, "not_found", "no page " + name);
  return {status, f->content_type, f->text, {}};
}

net::http_response redirect(const std::string& to, unsigned status = 303) {
  net::http_response res{status, "text/plain; charset=utf-8", "see " + to, {}};
  res.headers.emplace_back("Location", to);
  return res;
}

/// A change a browser sends from another site: its Sec-Fetch-Site (or,
/// from an older browser, its Origin) says so. Requests without either
/// (curl, scripts) carry no cookie a victim's browser would add, so they
/// are judged by their credentials. Under Referrer-Policy no-referrer a
/// browser sends "Origin: null" even from this site, which says nothing.
bool cross_site(const net::http_request& req) {
  auto site = req.header("sec-fetch-site");
  if (!site.empty())
    return site != "same-origin" && site != "none";
  auto origin = req.header("origin");
  if (origin.empty() || origin == "null")
    return false;
  auto host = req.header("host");
  return origin != "http://" + host && origin != "https://" + host;
}

} // namespace

dashboard::dashboard(std::shared_ptr<const config> cfg)
  : cfg_(std::move(cfg)),
    sessions_(static_cast<int64_t>(cfg_->dashboard.session_s) * 1000) {}

void dashboard::harden(net::http_response& res) {
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                           "base-uri 'none'; form-action 'self'");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Cache-Control", "no-store");
}

bool dashboard::secure(const net::http_request& req) const {
  return cfg_->trust_proxy && req.header("x-forwarded-proto") == "https";
}

std::string dashboard::address(const net::http_request& req) const {
  if (cfg_->trust_proxy) {
    // The proxy appends the address it saw: the last entry is the one it
    // vouches for.
    auto forwarded = req.header("x-forwarded-for");
    auto comma = forwarded.rfind(',');
    auto last = comma == std::string::npos ? forwarded : forwarded.substr(comma + 1);
    auto first = last.find_first_not_of(' ');
    if (first != std::string::npos)
      return last.substr(first);
  }
  return req.remote;
}

std::optional<login_session> dashboard::session_of(const net::http_request& req) {
  auto id = cookie_value(req.header("cookie"), cookie_name);
  if (id.empty())
    return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_.find(id, now_ms());
}

net::http_response dashboard::log_in(const net::http_request& req) {
  auto refused = [&](unsigned status, const std::string& why) {
    auto res = page("login.html", status);
    auto at = res.body.find("<!--error-->");
    if (at != std::string::npos)
      res.body.replace(at, std::strlen("<!--error-->"),
                       "<p class=\"error\" role=\"alert\">" + why + "</p>");
    return res;
  };
  if (cross_site(req))
    return refused(403, "Log in from this page, not from another site.");
  auto& hash = cfg_->dashboard.password_hash;
  if (cfg_->admin_token.empty() && hash.empty())
    return refused(401, "No admin token is configured (admin_token_env).");
  auto who = address(req);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto wait = throttle_.wait_ms(who, now_ms()); wait > 0) {
      auto res = refused(429, "Too many failed attempts; try again in "
                                + std::to_string((wait + 999) / 1000) + " s.");
      res.headers.emplace_back("Retry-After", std::to_string((wait + 999) / 1000));
      return res;
    }
  }
  // One field takes the admin token or the password: an operator need not
  // say which, and a wrong guess tells nothing about either.
  auto given = query_param("?" + req.body, "token").value_or("");
  bool accepted =
    (!cfg_->admin_token.empty() && constant_time_equal(given, cfg_->admin_token))
    || (!hash.empty() && !given.empty() && password::matches(hash, given));
  if (!accepted) {
    std::lock_guard<std::mutex> lock(mutex_);
    throttle_.failed(who, now_ms());
    return refused(401, hash.empty() ? "That is not the admin token."
                                     : "That is not the admin token or the password.");
  }
  auto id = google::base64url(storage::random_bytes(32));
  auto csrf = google::base64url(storage::random_bytes(32));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    throttle_.succeeded(who);
    sessions_.open(id, csrf, now_ms());
  }
  auto res = redirect("/dashboard/");
  res.headers.emplace_back("Set-Cookie", session_cookie(cookie_name, id, cfg_->dashboard.session_s,
                                                        secure(req)));
  return res;
}

net::http_response dashboard::log_out(const net::http_request& req) {
  if (auto refusal = refuse_api(req))
    return *refusal;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions_.close(cookie_value(req.header("cookie"), cookie_name));
  }
  auto res = redirect("/dashboard/login");
  res.headers.emplace_back("Set-Cookie", session_cookie(cookie_name, "", 0, secure(req)));
  return res;
}

void dashboard::handle(const net::http_request& req, const net::respond_fn& respond) {
  auto answer = [&](net::http_response res) {
    harden(res);
    respond(std::move(res));
  };
  auto path = req.path();
  if (path == "/dashboard")
    return answer(redirect("/dashboard/", 302));
  auto name = path.substr(std::strlen("/dashboard/"));
  if (name == "login") {
    if (req.method == "POST")
      return answer(log_in(req));
    if (req.method == "GET")
      return answer(page("login.html"));
    return answer(net::json_error(405, "method_not_allowed", "use GET or POST"));
  }
  if (name == "dashboard.css" && req.method == "GET")  // the log-in page's look
    return answer(page(name));
  if (name == "logout" && req.method == "POST")
    return answer(log_out(req));
  auto session = session_of(req);
  if (req.method != "GET")
    return answer(net::json_error(405, "method_not_allowed", "use GET"));
  if (!session)
    return answer(redirect("/dashboard/login", 302));
  if (name == "session")  // what the pages send back with every change
    return answer({200, "application/json", nlohmann::json{{"csrf", session->csrf}}.dump(), {}});
  if (name.empty())
    name = "index.html";
  if (name == "login.html" || !file_named(name))
    return answer(net::json_error(404, "not_found", "no page " + name));
  answer(page(name));
}

std::optional<net::http_response> dashboard::refuse_api(const net::http_request& req) {
  auto auth = req.header("authorization");
  const std::string bearer = "Bearer ";
  if (cfg_->admin_token.empty())
    return net::json_error(401, "unauthorized",
                           "no admin token is configured (admin_token_env)");
  if (!auth.empty()) {
    if (auth.compare(0, bearer.size(), bearer) == 0
        && constant_time_equal(auth.substr(bearer.size()), cfg_->admin_token))
      return std::nullopt;
    return net::json_error(401, "unauthorized",
                           "a valid 'Authorization: Bearer <admin token>' is required");
  }
  auto session = session_of(req);
  if (!session)
    return net::json_error(401, "unauthorized",
                           "a valid 'Authorization: Bearer <admin token>' or a dashboard "
                           "session is required");
  if (req.method == "GET" || req.method == "HEAD")
    return std::nullopt;
  // A change with the session's cookie must carry its CSRF token, which
  // only the dashboard's own pages can read, and come from this site.
  if (cross_site(req))
    return net::json_error(403, "cross_site", "a change must come from the dashboard itself");
  if (!constant_time_equal(req.header("x-csrf-token"), session->csrf))
    return net::json_error(403, "csrf", "the change lacks the session's CSRF token");
  return std::nullopt;
}

} // namespace parley
