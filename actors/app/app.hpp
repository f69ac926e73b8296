#pragma once

// The SUPERVISOR: builds the actor graph, recovers what a crash left behind,
// watches its children, and shuts down in stages.

#include "actors/app/admin_api.hpp"
#include "actors/channels/ingest.hpp"
#include "actors/interfaces.hpp"
#include "actors/channels/sender.hpp"
#include "actors/connectors/connector.hpp"
#include "protocol/config.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace parley::storage {
class embedded_postgres;
}

namespace parley {

/// A database to use: the configured URL, or the embedded cluster.
struct database {
  std::string conninfo;
  std::unique_ptr<storage::embedded_postgres> embedded;  ///< may be null
  database();
  database(database&&) noexcept;
  ~database();
};

/// Opens the database and applies migrations; throws with a clear sentence.
database open_database(const config& cfg, bool quiet = false);

struct app_options {
  std::vector<std::string> providers{"meta", "evolution"};  ///< events this process owns
  std::vector<std::string> channels{"meta", "evolution"};   ///< outbox rows it sends
  console_sink console;                        ///< for the console channel
  /// Hooks, workflows and their schedules run in `parley serve` only, never
  /// twice (`parley chat` beside it leaves them alone).
  bool runs_workflows = true;
  /// Resolves the `_env` keys of tenants made over the API.
  env_lookup env = [](const std::string& name) -> std::optional<std::string> {
    if (auto* v = std::getenv(name.c_str()))
      return std::string(v);
    return std::nullopt;
  };
};

class app {
public:
  app(caf::actor_system& sys, std::shared_ptr<const config> cfg,
      std::string conninfo, app_options opts);
  ~app();

  /// Sends unsent outbox rows and routes incomplete events again. Call before
  /// accepting new webhooks. Returns false if storage did not answer.
  bool recover();

  ingest_actor ingest() const { return ingest_; }
  policy_gate_actor gate() const { return gate_; }
  admin_actors admin() const {
    return {gate_,   storage_.front(), evolution_, composer_, senders_,
            oauth_,  bookings_,        tenants_,   workflows_};
  }
  std::shared_ptr<ingest_metrics> metrics() const { return metrics_; }
  std::shared_ptr<const connector_board> board() const { return board_; }
  brief_actor composer() const { return composer_; }

  /// Starts the scheduler (the morning briefs); after recover().
  void start_schedules();

  /// True once a child died unexpectedly (the process should exit non-zero
  /// and be restarted; recovery makes that lossless).
  bool failed() const;

  /// Staged shutdown: ingest and router (sessions), then workers.
  void shutdown();

private:
  caf::actor_system& sys_;
  std::shared_ptr<const config> cfg_;
  std::shared_ptr<ingest_metrics> metrics_;
  std::shared_ptr<std::atomic<bool>> failed_;
  std::vector<storage_actor> storage_;
  completion_writer_actor completer_;
  std::vector<llm_actor> llm_;
  std::vector<sender_actor> senders_;
  event_writer_actor writer_;
  router_actor router_;
  policy_gate_actor gate_;
  booking_desk_actor bookings_;
  tenant_registry_actor tenants_;
  scorer_actor scorer_;
  evolution_admin_actor evolution_;  ///< null without an Evolution API
  std::vector<shell_actor> shells_;
  std::shared_ptr<connector_board> board_;
  std::vector<connector_actor> connectors_;
  brief_actor composer_;
  oauth_actor oauth_;
  scheduler_actor scheduler_;  ///< null until start_schedules()
  workflow_runner_actor workflows_;  ///< null in `parley chat`
  morning_brief_actor briefs_;        ///< null until start_schedules()
  context_hub_actor hub_;
  media_actor media_;
  ingest_actor ingest_;
  caf::actor watcher_;
  std::vector<std::string> providers_, channels_;
};

} // namespace parley
