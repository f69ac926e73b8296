#pragma once

// A tenant's Google access, for the connector threads and the OAuth worker
// (blocking; one per thread): the sealed tokens in the credentials table,
// the access token refreshed before it expires and after a 401, the code
// exchange of the consent flow. No token is ever logged or returned in an
// error.

#include "actors/storage_worker.hpp"
#include "net/http_client.hpp"
#include "protocol/config.hpp"

#include <memory>
#include <string>

namespace parley {

class google_tokens {
public:
  google_tokens(const apis_config& apis, int timeout_ms, std::string tenant,
                std::string conninfo, std::string key);

  /// A valid access token; refreshed when it expires within a minute or
  /// when `force` (after a 401). "" with `error` set otherwise: not
  /// connected, the grant revoked, the token endpoint failing.
  std::string access_token(bool force, std::string& error);

  /// `req` with the access token; a 401 refreshes it and tries once more.
  /// Status 0 with `error` set when there is no token to send.
  net::client_response send(net::client_request req, std::string& error);

  /// A GET through send().
  net::client_response get(const std::string& url, std::string& error);

  /// Exchanges an authorization code (PKCE) and stores the sealed tokens;
  /// "" on success, else what failed.
  std::string exchange(const std::string& code, const std::string& verifier,
                       const std::string& redirect_uri);

private:
  struct tokens {
    std::string access, refresh;
    int64_t expires_ms = 0;
  };
  bool load(tokens& t, std::string& error);
  void store(const tokens& t);

  std::string token_url_, client_id_, client_secret_, tenant_, key_;
  int timeout_ms_;
  store_handle db_;
  net::http_client http_;
};

} // namespace parley
