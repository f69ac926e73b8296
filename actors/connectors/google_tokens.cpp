#include "actors/connectors/google_tokens.hpp"

#include "actors/connectors/connector.hpp"
#include "protocol/google_api.hpp"
#include "protocol/secret_box.hpp"
#include "storage/secret_key.hpp"

#include <nlohmann/json.hpp>

namespace parley {

namespace {

constexpr const char* provider = "google";
constexpr const char* reconnect = "run `parley connect google --tenant ";

} // namespace

google_tokens::google_tokens(const apis_config& apis, int timeout_ms, std::string tenant,
                             std::string conninfo, std::string key)
  : token_url_(apis.google_token_url), client_id_(apis.google_client_id),
    client_secret_(apis.google_client_secret), tenant_(std::move(tenant)),
    key_(std::move(key)), timeout_ms_(timeout_ms), db_(std::move(conninfo)) {}

bool google_tokens::load(tokens& t, std::string& error) {
  std::optional<secrets::sealed> sealed;
  try {
    sealed = db_.with([&](storage::store& s) { return s.load_credential(tenant_, provider); });
  } catch (const std::exception& e) {
    error = std::string("the credentials could not be read: ") + e.what();
    return false;
  }
  if (!sealed) {
    error = "Google is not connected: " + std::string(reconnect) + tenant_ + "`";
    return false;
  }
  auto plain = secrets::open(key_, *sealed, secrets::bound_to(tenant_, provider));
  auto j = plain ? nlohmann::json::parse(*plain, nullptr, false) : nlohmann::json();
  if (!j.is_object()) {
    error = "the stored Google credentials cannot be opened with this secret key: "
            + std::string(reconnect) + tenant_ + "` again";
    return false;
  }
  t.access = j.value("access", "");
  t.refresh = j.value("refresh", "");
  t.expires_ms = j.value("expires_ms", int64_t{0});
  return true;
}

void google_tokens::store(const tokens& t) {
  nlohmann::json j = {{"access", t.access}, {"refresh", t.refresh}, {"expires_ms", t.expires_ms}};
  auto sealed = secrets::seal(key_, 1, storage::random_bytes(secrets::nonce_size), j.dump(),
                              secrets::bound_to(tenant_, provider));
  db_.with([&](storage::store& s) {
    s.save_credential(tenant_, provider, sealed);
    return true;
  });
}

std::string google_tokens::access_token(bool force, std::string& error) {
  tokens t;
  if (!load(t, error))
    return {};
  if (!force && !t.access.empty() && t.expires_ms - wall_ms() > 60000)
    return t.access;
  if (t.refresh.empty()) {
    error = "Google gave no refresh token: " + std::string(reconnect) + tenant_ + "` again";
    return {};
  }
  net::client_request req;
  req.url = token_url_;
  req.body = google::refresh_body(t.refresh, client_id_, client_secret_);
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.timeout = std::chrono::milliseconds(timeout_ms_);
  req.repeatable = true;  // a refresh twice is harmless
  auto res = http_.send(req);
  auto answer = google::parse_token_answer(res.body);
  if (res.status != 200 || !answer.error.empty()) {
    if (answer.error == "invalid_grant")
      error = "Google revoked parley's access (invalid_grant): " + std::string(reconnect) + tenant_
              + "` again";
    else if (res.status == 0)
      error = "Google's token endpoint is unreachable: " + res.error;
    else
      error = "Google's token endpoint refused the refresh (" + std::to_string(res.status) + " "
              + answer.error + ")";
    return {};
  }
  t.access = answer.access_token;
  t.expires_ms = wall_ms() + answer.expires_in_s * 1000;
  try {
    store(t);
  } catch (const std::exception& e) {
    // The new token works for this call; the next one refreshes again.
  }
  return t.access;
}

net::client_response google_tokens::send(net::client_request req, std::string& error) {
  req.timeout = std::chrono::milliseconds(timeout_ms_);
  req.headers.emplace_back("Authorization", "");
  net::client_response res;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto token = access_token(attempt > 0, error);
    if (token.empty())
      return {};
    req.headers.back().second = "Bearer " + token;
    res = http_.send(req);
    if (res.status != 401)
      break;
  }
  return res;
}

net::client_response google_tokens::get(const std::string& url, std::string& error) {
  net::client_request req;
  req.method = "GET";
  req.url = url;
  return send(std::move(req), error);
}

std::string google_tokens::exchange(const std::string& code, const std::string& verifier,
                                    const std::string& redirect_uri) {
  net::client_request req;
  req.url = token_url_;
  req.body = google::code_exchange_body(code, verifier, redirect_uri, client_id_, client_secret_);
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.timeout = std::chrono::milliseconds(timeout_ms_);
  auto res = http_.send(req);
  auto answer = google::parse_token_answer(res.body);
  if (res.status != 200 || !answer.error.empty())
    return res.status == 0 ? "Google's token endpoint is unreachable: " + res.error
                           : "Google refused the code (" + std::to_string(res.status) + " "
                               + answer.error
                               + (answer.description.empty() ? "" : ": " + answer.description) + ")";
  tokens t{answer.access_token, answer.refresh_token, wall_ms() + answer.expires_in_s * 1000};
  try {
    store(t);
  } catch (const std::exception& e) {
    return std::string("the tokens could not be stored: ") + e.what();
  }
  return {};
}

} // namespace parley
