#pragma once

// The CONNECTOR actor every live-data source shares: it answers a topic for a
// local date from its source, reuses an answer for connectors.cache_s (a burst
// of `agenda` does not hit the server ten times) and a failure for 5 s (or
// cache_s if shorter), and records its health on the board that GET /health
// reads.

#include "actors/interfaces.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace parley {

/// Reads a source synchronously: (topic, local date) -> report. Never
/// throws; a failure is a `failing` report with one sentence.
using source_reader
  = std::function<connector_report(const std::string& topic, const std::string& date)>;

/// Builds a reader in the connector's own thread (readers own HTTP clients,
/// which are not thread-safe).
using source_factory = std::function<source_reader()>;

/// The health of every tenant's connectors: written by the connectors,
/// read by the HTTP edge without asking any actor.
class connector_board {
public:
  void record(const std::string& tenant, const std::string& connector,
              const connector_report& r);
  /// tenant -> connector -> health.
  std::map<std::string, std::map<std::string, connector_health>> snapshot() const;

private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, connector_health>> health_;
};

/// Which connector serves each tenant's live data.
struct connector_directory {
  /// tenant -> source (calendar, mail, github, weather) -> connector.
  std::map<std::string, std::map<std::string, connector_actor>> by_tenant;
  /// The connector, or null when the tenant has none for `source`.
  connector_actor find(const std::string& tenant, const std::string& source) const;
};

struct connector_state {
  connector_state() = default;
  source_reader read;
  std::map<std::string, connector_report> cache;  ///< "topic date" -> report
  static inline const char* name = "connector";
};

/// Spawn detached. `source` names it on the board (calendar, mail, ...).
connector_actor::behavior_type
connector(connector_actor::stateful_pointer<connector_state> self,
          std::string tenant, std::string source, source_factory make,
          std::chrono::seconds cache_for, std::shared_ptr<connector_board> board);

/// Milliseconds since the epoch, now.
int64_t wall_ms();

} // namespace parley
