#pragma once

// The readers of each live-data source, one file each: how a connector gets
// its data from Open-Meteo, GitHub, a CalDAV server or ICS feed, and an IMAP
// server. Each reads synchronously within connectors.timeout_ms.

#include "actors/connectors/connector.hpp"
#include "protocol/config.hpp"
#include "protocol/http_failure.hpp"

namespace parley::net {
struct client_response;
}

namespace parley {

/// What a Google source needs to reach its sealed tokens.
struct google_access {
  std::string conninfo;
  std::string key;  ///< the secret key (32 raw bytes)
};

/// What a write-back (an approved event or mail) came to.
struct write_outcome {
  bool done = false;   ///< done (or found done by an earlier attempt)
  std::string detail;  ///< where, or what failed, in a sentence
};

source_factory weather_reader(const config& cfg, const tenant_config& t);
source_factory github_reader(const config& cfg, const tenant_config& t);
source_factory calendar_reader(const config& cfg, const tenant_config& t,
                               const google_access& google);
source_factory mail_reader(const config& cfg, const tenant_config& t,
                           const google_access& google);

/// What went wrong with an HTTP answer, for describe_failure.
http_outcome outcome_of(const net::client_response& res, int timeout_ms,
                        std::string server_message = {});

/// "today" / "tomorrow" / the short date, for a line.
std::string day_word(const std::string& date, const std::string& zone,
                     const std::string& lang);

} // namespace parley
