#include "actors/app/app.hpp"

#include "actors/errors.hpp"
#include "actors/channels/evolution_admin.hpp"
#include "actors/channels/media_fetcher.hpp"
#include "actors/conversation/llm.hpp"
#include "actors/log.hpp"
#include "actors/app/tenant_registry.hpp"
#include "actors/business/booking_desk.hpp"
#include "actors/policy/policy_gate.hpp"
#include "actors/conversation/relevance_scorer.hpp"
#include "actors/connectors/context_hub.hpp"
#include "actors/connectors/shell_connector.hpp"
#include "actors/connectors/google_oauth.hpp"
#include "actors/connectors/sources.hpp"
#include "storage/secret_key.hpp"
#include "actors/schedule/brief_composer.hpp"
#include "actors/schedule/morning_brief.hpp"
#include "actors/schedule/scheduler.hpp"
#include "actors/schedule/workflow_runner.hpp"
#include "actors/conversation/router.hpp"
#include "actors/completion_writer.hpp"
#include "actors/storage_worker.hpp"
#include "actors/supervisor.hpp"
#include "net/event_loop.hpp"
#include "net/http_pool.hpp"
#include "storage/embedded_postgres.hpp"
#include "storage/migrations.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>

#include <filesystem>
#include <iostream>

namespace parley {

database::database() = default;
database::database(database&&) noexcept = default;
database::~database() = default;

database open_database(const config& cfg, bool quiet) {
  database db;
  if (!cfg.database_url.empty()) {
    db.conninfo = cfg.database_url;
  } else {
    auto progress = quiet ? nullptr : +[](const std::string& what) {
      log::info(what + " ...");
    };
    db.embedded = std::make_unique<storage::embedded_postgres>(cfg.data_dir,
                                                               progress);
    db.conninfo = db.embedded->conninfo();
  }
  storage::connection conn(db.conninfo);
  for (auto& name : storage::migrate(conn))
    if (!quiet)
      log::info("applied migration " + name);
  return db;
}

namespace {

/// The senders' event loop and its connection pool (destroyed first).
struct send_loop {
  explicit send_loop(size_t per_host) : pool(loop.context(), {}, per_host) {}
  net::event_loop loop;
  net::http_pool pool;
};

/// Watches the router, the ingest and every supervised slot; an unexpected
/// death (a slot escalates after repeated crashes) stops the whole process
/// with an error, and systemd's restart plus recovery at start resume
/// without loss.
caf::behavior watcher(caf::event_based_actor* self,
                      std::shared_ptr<std::atomic<bool>> failed) {
  self->set_down_handler([=](const caf::down_msg& down) {
    if (down.reason == caf::exit_reason::normal
        || down.reason == caf::exit_reason::user_shutdown)
      return;
    log::error("a core actor stopped: " + caf::to_string(down.reason)
               + "; shutting down so that the service restarts cleanly");
    *failed = true;
  });
  return {
    [=](atom::wired, caf::actor child) { self->monitor(child); },
  };
}

} // namespace

app::app(caf::actor_system& sys, std::shared_ptr<const config> cfg,
         std::string conninfo, app_options opts)
  : sys_(sys), cfg_(cfg), metrics_(std::make_shared<ingest_metrics>()),
    failed_(std::make_shared<std::atomic<bool>>(false)),
    board_(std::make_shared<connector_board>()),
    providers_(opts.providers), channels_(opts.channels) {
  watcher_ = sys.spawn(watcher, failed_);
  // Workers sit behind supervised slots: a crashed one is replaced after a
  // back-off; one that keeps crashing escalates to the watcher.
  for (int i = 0; i < cfg->db_pool; ++i)
    storage_.push_back(spawn_supervised<storage_actor>(
      sys, "storage worker " + std::to_string(i),
      detached_worker(storage_worker, conninfo)));
  completer_ = spawn_supervised<completion_writer_actor>(
    sys, "completion writer",
    [conninfo, metrics = metrics_](caf::event_based_actor* slot, size_t) {
      return caf::actor_cast<caf::actor>(
        slot->spawn<caf::monitored>(completion_writer, conninfo, metrics,
                                    size_t{2}, size_t{256}));
    });
  if (cfg->llm.enabled())
    for (int i = 0; i < cfg->llm.workers; ++i)
      llm_.push_back(spawn_supervised<llm_actor>(
        sys, "llm worker " + std::to_string(i), detached_worker(llm, cfg->llm)));
  auto pacer = std::make_shared<number_pacer>();
  // Every sender's requests go out on one event loop's connection pool.
  auto sending = std::make_shared<send_loop>(static_cast<size_t>(cfg->send_connections));
  send_transport transport = [sending](net::client_request req,
                                       std::function<void(net::client_response)> done) {
    sending->pool.send(std::move(req), std::move(done));
  };
  for (int i = 0; i < cfg->senders; ++i) {
    sender_options so;
    so.pacer = pacer;
    so.send_latency = metrics_->send;
    so.transport = transport;
    // The keepers' database connections share the senders' loop: no thread
    // per sender.
    so.storage_loop = std::shared_ptr<net::event_loop>(sending, &sending->loop);
    so.console = opts.console;
    so.channels = channels_;
    so.shard = static_cast<size_t>(i);
    so.shards = static_cast<size_t>(cfg->senders);
    senders_.push_back(spawn_supervised<sender_actor>(
      sys, "sender " + std::to_string(i),
      [cfg, conninfo, so](caf::event_based_actor* slot, size_t restarts) {
        auto opts = so;
        opts.recover = restarts > 0;
        return caf::actor_cast<caf::actor>(
          slot->spawn<caf::monitored>(sender, cfg, conninfo, opts));
      }));
  }
  writer_ = spawn_supervised<event_writer_actor>(
    sys, "event writer", detached_worker(event_writer, conninfo));
  // One shell connector per tenant with a shell block, and the policy gate.
  std::map<std::string, shell_actor> shells;
  // (Only the file's tenants have shells and connectors: a tenant made over
  // the API may have neither, so these are started once, here.)
  for (auto& t : cfg->tenants->all())
    if (t->shell.enabled)
      shells[t->id] = spawn_supervised<shell_actor>(
        sys, "shell connector " + t->id, detached_worker(shell_connector, t->shell));
  for (auto& [id, sh] : shells)
    shells_.push_back(sh);
  // Credentials at rest are sealed with this key (secret_key_env, or
  // <data_dir>/secret.key created on first start).
  google_access google{conninfo, storage::load_secret_key(*cfg)};
  oauth_ = spawn_supervised<oauth_actor>(
    sys, "google oauth", detached_worker(google_oauth, cfg, conninfo, google.key));
  gate_ = spawn_supervised<policy_gate_actor>(
    sys, "policy gate",
    [cfg, google, shells, senders = senders_](caf::event_based_actor* slot,
                                              size_t restarts) {
      return spawn_detached_worker(slot, policy_gate, cfg, google, shells,
                                   senders, restarts == 0);
    });
  tenants_ = spawn_supervised<tenant_registry_actor>(
    sys, "tenant registry", detached_worker(tenant_registry, cfg, conninfo, opts.env));
  bookings_ = spawn_supervised<booking_desk_actor>(
    sys, "booking desk", detached_worker(booking_desk, cfg, conninfo, senders_, google));
  auto context_dir = cfg->automation.context_dir.empty() ? cfg->data_dir + "/context"
                                                        : cfg->automation.context_dir;
  media_ = spawn_supervised<media_actor>(
    sys, "media fetcher", detached_worker(media_fetcher, cfg));
  hub_ = spawn_supervised<context_hub_actor>(
    sys, "context hub", detached_worker(context_hub, context_dir, size_t{2000}));
  if (opts.runs_workflows) {
    workflow_runner_deps wd;
    wd.llm = llm_;
    wd.senders = senders_;
    wd.gate = gate_;
    wd.context_dir = context_dir;
    workflows_ = spawn_supervised<workflow_runner_actor>(
      sys, "workflow runner", detached_worker(workflow_runner, cfg, conninfo, wd));
  }
  auto llm_bound = std::chrono::milliseconds(cfg->llm.timeout_ms) * 2
                   + std::chrono::seconds(1);
  scorer_ = spawn_supervised<scorer_actor>(
    sys, "relevance scorer",
    [cfg, llm = llm_, llm_bound](caf::event_based_actor* slot, size_t) {
      return caf::actor_cast<caf::actor>(
        slot->spawn<caf::monitored>(relevance_scorer, cfg, llm, llm_bound));
    });
  if (cfg->evolution.enabled())
    evolution_ = spawn_supervised<evolution_admin_actor>(
      sys, "evolution admin", detached_worker(evolution_admin, cfg));
  // Live data: one supervised connector per tenant and configured source.
  auto directory = std::make_shared<connector_directory>();
  auto cache = std::chrono::seconds(cfg->connectors.cache_s);
  for (auto& tenant : cfg->tenants->all()) {
    auto& t = *tenant;
    auto add = [&](const char* source, source_factory make) {
      auto c = spawn_supervised<connector_actor>(
        sys, std::string(source) + " connector " + t.id,
        detached_worker(connector, t.id, std::string(source), make, cache, board_));
      directory->by_tenant[t.id][source] = c;
      connectors_.push_back(c);
    };
    if (t.connectors.calendar.configured())
      add("calendar", calendar_reader(*cfg, t, google));
    if (t.connectors.mail.configured())
      add("mail", mail_reader(*cfg, t, google));
    if (t.connectors.github.enabled)
      add("github", github_reader(*cfg, t));
    if (t.connectors.weather.enabled)
      add("weather", weather_reader(*cfg, t));
  }
  brief_sources sources;
  sources.connectors = directory;
  sources.shells = shells;
  sources.storage = storage_.front();
  sources.llm = llm_;
  sources.llm_timeout = std::chrono::milliseconds(cfg->llm.timeout_ms);
  composer_ = spawn_supervised<brief_actor>(
    sys, "brief composer", [cfg, sources](caf::event_based_actor* slot, size_t) {
      return caf::actor_cast<caf::actor>(
        slot->spawn<caf::monitored>(brief_composer, cfg, sources));
    });
  session_deps deps;
  deps.tenants = cfg->tenants;
  deps.connectors = directory;
  deps.composer = composer_;
  deps.bookings = bookings_;
  deps.context_hub = hub_;
  deps.media = media_;
  deps.vision = cfg->llm.vision;
  deps.connector_timeout = std::chrono::milliseconds(cfg->connectors.timeout_ms);
  deps.brief_bound = std::chrono::milliseconds(cfg->brief.deadline_ms + 2 * cfg->llm.timeout_ms)
                     + std::chrono::seconds(5);
  deps.gate = gate_;
  deps.scorer = scorer_;
  deps.storage = storage_;
  deps.completer = completer_;
  deps.llm = llm_;
  deps.senders = senders_;
  deps.llm_timeout = std::chrono::milliseconds(cfg->llm.timeout_ms);
  deps.max_tool_rounds = cfg->llm.max_tool_rounds;
  deps.idle = std::chrono::seconds(cfg->session_idle_s);
  deps.log_text = cfg->log_text;
  deps.metrics = metrics_;
  router_ = sys.spawn(parley::router, cfg, deps);
  ingest_ = sys.spawn(parley::ingest, writer_, router_, metrics_);
  auto watch = [&](const auto& child) {
    caf::anon_send(watcher_, atom::wired_v, caf::actor_cast<caf::actor>(child));
  };
  for (auto& s : storage_)
    watch(s);
  for (auto& l : llm_)
    watch(l);
  for (auto& s : senders_)
    watch(s);
  watch(writer_);
  watch(completer_);
  watch(gate_);
  watch(scorer_);
  if (evolution_)
    watch(evolution_);
  for (auto& sh : shells_)
    watch(sh);
  for (auto& c : connectors_)
    watch(c);
  watch(composer_);
  watch(bookings_);
  watch(tenants_);
  if (workflows_)
    watch(workflows_);
  watch(hub_);
  watch(media_);
  watch(oauth_);
  watch(router_);
  watch(ingest_);
}

app::~app() = default;

bool app::failed() const { return *failed_; }

bool app::recover() {
  caf::scoped_actor self{sys_};
  bool ok = true;
  // Unsent replies first, before any new row can exist: each is sent once.
  self
    ->request(storage_.front(), std::chrono::seconds(60), atom::pending_v,
              atom::send_v, channels_)
    .receive(
      [&](const std::vector<outbox_item>& rows) {
        if (!rows.empty())
          log::info("recovery: sending " + std::to_string(rows.size())
                    + " unsent replies");
        for (auto& row : rows)
          self->send(senders_[shard_of(row.chat, senders_.size())],
                     atom::send_v, row);
      },
      [&](const caf::error& err) {
        log::error("recovery cannot read the outbox: " + describe(err));
        ok = false;
      });
  // Messages acknowledged before the restart wait in storage; the router
  // reads them as its sessions have room, so a large backlog is never in
  // memory at once.
  self
    ->request(storage_.front(), std::chrono::seconds(60), atom::pending_v,
              providers_)
    .receive(
      [&](const std::vector<int64_t>& pending) {
        if (!pending.empty())
          log::info("recovery: answering " + std::to_string(pending.size())
                    + " messages received before the restart");
        self->send(router_, atom::pending_v, pending);
      },
      [&](const caf::error& err) {
        log::error("recovery cannot read pending events: " + describe(err));
        ok = false;
      });
  return ok;
}

void app::start_schedules() {
  morning_brief_deps brief_deps;
  brief_deps.storage = storage_.front();
  brief_deps.composer = composer_;
  brief_deps.senders = senders_;
  briefs_ = sys_.spawn(morning_brief, cfg_, brief_deps);
  caf::anon_send(watcher_, atom::wired_v, caf::actor_cast<caf::actor>(briefs_));
  scheduler_deps deps;
  deps.runner = workflows_;
  deps.briefs = briefs_;
  deps.now = wall_ms;
  scheduler_ = sys_.spawn(scheduler, cfg_, deps);
  caf::anon_send(watcher_, atom::wired_v, caf::actor_cast<caf::actor>(scheduler_));
}

void app::shutdown() {
  caf::scoped_actor self{sys_};
  auto stop = [&](const auto& handle) {
    if (handle)
      self->send_exit(handle, caf::exit_reason::user_shutdown);
  };
  // Stage 1: no new events; stage 2: sessions (children of the router);
  // stage 3: workers. Committed work not finished is recovered at the next
  // start.
  stop(ingest_);
  stop(scheduler_);
  stop(briefs_);
  stop(router_);
  stop(composer_);
  stop(bookings_);
  stop(tenants_);
  stop(workflows_);
  stop(hub_);
  stop(media_);
  stop(oauth_);
  for (auto& c : connectors_)
    stop(c);
  stop(gate_);
  stop(scorer_);
  stop(evolution_);
  for (auto& sh : shells_)
    stop(sh);
  stop(writer_);
  stop(completer_);
  for (auto& s : storage_)
    stop(s);
  for (auto& l : llm_)
    stop(l);
  for (auto& s : senders_)
    stop(s);
  stop(watcher_);
}

} // namespace parley
