#pragma once

// Google's OAuth 2.0 authorization-code flow with PKCE (RFC 7636) and the
// Calendar API v3 events.list answer, as pure request and answer code.

#include "protocol/live_data.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace parley::google {

/// What parley asks for: the calendar's events (read and create) and mail.
extern const char* const scopes;

/// The consent page URL (access_type=offline for a refresh token).
std::string authorization_url(const std::string& auth_url, const std::string& client_id,
                              const std::string& redirect_uri, const std::string& state,
                              const std::string& code_challenge);

/// S256: base64url(SHA-256(verifier)) without padding.
std::string code_challenge(const std::string& verifier);

/// base64url without padding, for verifiers and states from random bytes.
std::string base64url(const std::string& raw);

/// Form bodies for the token endpoint.
std::string code_exchange_body(const std::string& code, const std::string& verifier,
                               const std::string& redirect_uri, const std::string& client_id,
                               const std::string& client_secret);
std::string refresh_body(const std::string& refresh_token, const std::string& client_id,
                         const std::string& client_secret);

struct token_answer {
  std::string access_token;
  std::string refresh_token;  ///< only in the code exchange
  int64_t expires_in_s = 0;
  std::string error;          ///< e.g. invalid_grant
  std::string description;
};

token_answer parse_token_answer(const std::string& body);

/// events.list for [from_ms, to_ms) with recurring events expanded.
std::string events_target(const std::string& calendar_id, int64_t from_ms, int64_t to_ms,
                          const std::string& zone);

struct events_answer {
  std::vector<calendar_event> events;  ///< declined and cancelled ones left out
  std::string error;
};

/// A 200 events.list body; all-day events are midnight to midnight in `zone`.
events_answer parse_events(const std::string& body, const std::string& zone);

/// Google's error message in an error body ({"error": {"message"}}) or "".
std::string error_message(const std::string& body);

} // namespace parley::google
