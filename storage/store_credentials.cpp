// Sealed OAuth credentials and consent flows in progress.

#include "storage/store.hpp"

namespace parley::storage {

namespace {

/// bytea in and out as hex, so that binary never meets text encoding.
std::string to_hex(const std::string& raw) {
  static const char* digits = "0123456789abcdef";
  std::string out = "\\x";
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string from_hex(const std::string& text) {
  std::string out;
  auto value = [](char c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; };
  for (size_t i = text.rfind("\\x", 0) == 0 ? 2 : 0; i + 1 < text.size(); i += 2)
    out += static_cast<char>(value(text[i]) * 16 + value(text[i + 1]));
  return out;
}

} // namespace

void store::save_credential(const std::string& tenant, const std::string& provider,
                            const secrets::sealed& s) {
  db_.exec("INSERT INTO credentials (tenant, provider, key_version, nonce, ciphertext)"
           " VALUES ($1, $2, $3, $4::bytea, $5::bytea)"
           " ON CONFLICT (tenant, provider) DO UPDATE SET key_version = $3, nonce = $4::bytea,"
           " ciphertext = $5::bytea, updated_at = now()",
           {tenant, provider, std::to_string(s.key_version), to_hex(s.nonce), to_hex(s.ciphertext)});
}

std::optional<secrets::sealed> store::load_credential(const std::string& tenant,
                                                      const std::string& provider) {
  auto r = db_.exec("SELECT key_version, nonce, ciphertext FROM credentials"
                    " WHERE tenant = $1 AND provider = $2",
                    {tenant, provider});
  if (r.rows() == 0)
    return std::nullopt;
  secrets::sealed s;
  s.key_version = static_cast<int32_t>(r.int64(0, 0));
  s.nonce = from_hex(r.text(0, 1));
  s.ciphertext = from_hex(r.text(0, 2));
  return s;
}

void store::create_oauth_flow(const std::string& state, const std::string& tenant,
                              const std::string& provider, const std::string& verifier,
                              const std::string& redirect_uri) {
  db_.exec("DELETE FROM oauth_flows WHERE created_at < now() - interval '1 day'");
  db_.exec("INSERT INTO oauth_flows (state, tenant, provider, verifier, redirect_uri)"
           " VALUES ($1, $2, $3, $4, $5)",
           {state, tenant, provider, verifier, redirect_uri});
}

std::optional<oauth_flow> store::take_oauth_flow(const std::string& state) {
  // Once, and only within ten minutes of the start.
  auto r = db_.exec("UPDATE oauth_flows SET status = 'exchanging' WHERE state = $1"
                    " AND status = 'pending' AND created_at > now() - interval '10 minutes'"
                    " RETURNING tenant, provider, verifier, redirect_uri",
                    {state});
  if (r.rows() == 0)
    return std::nullopt;
  return oauth_flow{state, r.text(0, 0), r.text(0, 1), r.text(0, 2), r.text(0, 3)};
}

void store::finish_oauth_flow(const std::string& state, const std::string& error) {
  db_.exec("UPDATE oauth_flows SET status = CASE WHEN $2 = '' THEN 'connected' ELSE 'failed' END,"
           " error = NULLIF($2, '') WHERE state = $1",
           {state, error});
}

std::pair<std::string, std::string> store::oauth_flow_status(const std::string& state) {
  auto r = db_.exec("SELECT CASE WHEN status = 'pending' AND created_at < now() - interval"
                    " '10 minutes' THEN 'expired' ELSE status END, coalesce(error, '')"
                    " FROM oauth_flows WHERE state = $1",
                    {state});
  if (r.rows() == 0)
    return {"unknown", ""};
  return {r.text(0, 0), r.text(0, 1)};
}

} // namespace parley::storage
