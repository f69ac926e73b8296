// parley's entry point: the command line of DESIGN.md.

#include "actors/app/app.hpp"
#include "actors/app/tenant_registry.hpp"
#include "actors/app/evolution_cli.hpp"
#include "actors/log.hpp"
#include "actors/channels/webhook_listener.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"

#include <sys/resource.h>
#include "protocol/password.hpp"
#include "protocol/signature.hpp"
#include "storage/backup.hpp"
#include "storage/embedded_postgres.hpp"
#include "storage/migrations.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <malloc.h>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace {

using namespace parley;

constexpr const char* version = "0.1.0";

std::optional<std::string> env(const std::string& name) {
  if (auto* v = std::getenv(name.c_str()))
    return std::string(v);
  return std::nullopt;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The configuration: the file if given or present, else the defaults.
std::shared_ptr<const config> load_config(const std::string& path,
                                          bool explicit_path) {
  if (!explicit_path && access(path.c_str(), F_OK) != 0) {
    log::info("no " + path + " found: using the defaults (one personal tenant, "
              "no LLM); see deploy/parley.example.json");
    auto cfg = default_config();
    // PostgreSQL runs as 'postgres' when parley runs as root, and cannot
    // reach a data directory under a private home such as /root.
    if (geteuid() == 0)
      cfg.data_dir = "/var/lib/parley";
    return std::make_shared<config>(std::move(cfg));
  }
  try {
    auto cfg = parse_config(read_file(path), env);
    if (cfg.tenants->empty())
      throw config_error("tenants: " + path + " has none");
    log::set_format(cfg.log_format == "json" ? log::format::json : log::format::text);
    return std::make_shared<config>(std::move(cfg));
  } catch (const config_error& e) {
    // Each problem on its own line, with the file, so none hides another.
    std::string text = path + " has " + std::to_string(e.problems.size())
                       + (e.problems.size() == 1 ? " problem:" : " problems:");
    for (auto& p : e.problems)
      text += "\n  " + p;
    throw std::runtime_error(text);
  }
}

/// `parley check-config`: every problem of the file, exit 1 when any.
int check_config(const std::string& path) {
  try {
    auto cfg = load_config(path, true);
    std::cout << path << ": OK, " << cfg->tenants->all().size() << " tenant(s)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}

/// Blocks SIGINT/SIGTERM in every thread; main waits for them explicitly.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

/// Each connection is a file descriptor: the soft limit (often 1,024) is
/// raised to the hard one so that http.max_connections can be reached.
void raise_open_file_limit(int max_connections) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0)
    return;
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
  // Room for the database, the senders and the log beside the connections.
  if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < static_cast<rlim_t>(max_connections) + 256)
    log::warn("the open-file limit (" + std::to_string(r.rlim_cur) + ") is below "
              "http.max_connections + 256: raise LimitNOFILE or lower the setting");
}

int serve(const std::string& config_path, bool explicit_config) {
  auto cfg = load_config(config_path, explicit_config);
  auto signals = block_stop_signals();
  raise_open_file_limit(cfg->http.max_connections);
  int lock_fd = storage::lock_data_dir(cfg->data_dir);
  auto db = open_database(*cfg);
  load_api_tenants(*cfg, db.conninfo, env);
  if (cfg->meta.app_secret.empty())
    log::warn("no Meta app secret (meta.app_secret_env): every webhook POST "
              "will be refused with 401");
  caf::actor_system_config sys_cfg;
  sys_cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{sys_cfg};
  int rc = 0;
  {
    app a(sys, cfg, db.conninfo, app_options{});
    if (!a.recover())
      log::warn("recovery was incomplete; it runs again at the next start");
    a.start_schedules();
    net::server_limits limits;
    limits.body_limit = cfg->body_limit;
    limits.head_timeout = std::chrono::seconds(cfg->http.head_timeout_s);
    limits.idle_timeout = std::chrono::seconds(cfg->http.idle_timeout_s);
    limits.body_min_rate = static_cast<std::size_t>(cfg->http.body_min_rate);
    limits.max_connections = static_cast<std::size_t>(cfg->http.max_connections);
    limits.max_connections_per_address
      = static_cast<std::size_t>(cfg->http.max_connections_per_address);
    limits.counters = a.metrics()->edge;
    net::http_server server(cfg->listen_host, cfg->listen_port, limits,
                            make_http_handler(cfg, a.ingest(), a.metrics(), a.admin(), a.board()),
                            cfg->http_threads);
    log::info("parley " + std::string(version) + " listening on http://"
              + cfg->listen_host + ":" + std::to_string(server.port())
              + " with " + std::to_string(cfg->tenants->all().size()) + " tenant(s)"
              + (cfg->llm.enabled() ? ", LLM " + cfg->llm.model : ", no LLM"));
    timespec tick{1, 0};
    uint64_t seen = 0, trimmed = 0;
    while (true) {
      int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) {
        log::info("stopping");
        break;
      }
      if (a.failed()) {
        rc = 70;
        break;
      }
      // glibc keeps what a burst freed in its arenas: once the messages
      // stop for a second, the memory goes back to the system.
      auto done = a.metrics()->completed.load();
      if (done == seen && done != trimmed) {
        malloc_trim(0);
        trimmed = done;
      }
      seen = done;
    }
    server.stop();
    a.shutdown();
    sys.await_all_actors_done();
  }
  db.embedded.reset();
  close(lock_fd);
  return rc;
}

int chat(const std::string& config_path, bool explicit_config,
         std::string tenant_id, std::string from) {
  auto cfg = load_config(config_path, explicit_config);
  auto db = open_database(*cfg, /*quiet=*/true);
  load_api_tenants(*cfg, db.conninfo, env);
  auto tenant = tenant_id.empty() ? cfg->tenants->all().front()
                                  : cfg->tenant_by_id(tenant_id);
  if (!tenant) {
    std::cerr << "no tenant '" << tenant_id
              << "' in the configuration or among the tenants made over the API\n";
    return 2;
  }
  if (from.empty())
    from = tenant->owner.empty() ? "console" : tenant->owner;
  bool interactive = isatty(0);
  std::mutex mtx;
  std::condition_variable cv;
  uint64_t replies = 0;
  app_options opts;
  opts.providers = {"console"};
  opts.runs_workflows = false;
  opts.channels = {"console"};
  opts.console = [&](const outbox_item& item) {
    std::lock_guard<std::mutex> guard(mtx);
    std::cout << "parley> " << item.body << std::endl;
    ++replies;
    cv.notify_all();
  };
  caf::actor_system_config sys_cfg;
  caf::actor_system sys{sys_cfg};
  {
    app a(sys, cfg, db.conninfo, opts);
    a.recover();
    if (interactive)
      std::cout << "talking to tenant '" << tenant->id << "' as " << from
                << "; try 'help'. Ctrl-D ends.\n";
    std::string line;
    auto session_id = std::to_string(getpid()) + "-"
                      + std::to_string(std::chrono::system_clock::now()
                                         .time_since_epoch()
                                         .count());
    uint64_t sent = 0;
    auto wait_for = std::chrono::milliseconds(cfg->llm.timeout_ms * 2 + 15000);
    while (true) {
      if (interactive)
        std::cout << "you> " << std::flush;
      if (!std::getline(std::cin, line))
        break;
      if (line.find_first_not_of(" \t\r") == std::string::npos)
        continue;
      storage::event_row row;
      row.provider = "console";
      row.external_id = "console:" + session_id + ":" + std::to_string(++sent);
      row.kind = "message";
      row.tenant = tenant->id;
      row.chat = from;
      row.sender = from;
      row.msg_type = "text";
      row.body = line;
      std::unique_lock<std::mutex> lock(mtx);
      auto before = replies;
      bool stored = true;
      bool acked = false;
      webhook_batch batch{{row}, [&](ingest_ack ack) {
                            std::lock_guard<std::mutex> guard(mtx);
                            stored = ack.stored;
                            acked = true;
                            cv.notify_all();
                          }};
      caf::anon_send(a.ingest(), atom::ingest_v, std::move(batch));
      cv.wait(lock, [&] { return acked; });
      if (!stored) {
        std::cerr << "the message could not be stored; is the database up?\n";
        continue;
      }
      if (!cv.wait_for(lock, wait_for, [&] { return replies > before; }))
        std::cerr << "no reply yet; it will be printed when it arrives\n";
    }
    a.shutdown();
    sys.await_all_actors_done();
  }
  return 0;
}

int replay(const std::string& config_path, bool explicit_config,
           std::string url, const std::vector<std::string>& files) {
  auto cfg = load_config(config_path, explicit_config);
  if (url.empty())
    url = "http://" + cfg->listen_host + ":" + std::to_string(cfg->listen_port)
          + "/webhooks/meta/whatsapp";
  if (cfg->meta.app_secret.empty())
    std::cerr << "warning: no app secret configured; the posts are unsigned\n";
  net::http_client client;
  int failures = 0;
  for (auto& file : files) {
    std::string body;
    try {
      body = read_file(file);
    } catch (const std::exception& e) {
      std::cerr << file << ": " << e.what() << "\n";
      ++failures;
      continue;
    }
    net::client_request req;
    req.url = url;
    req.body = body;
    req.repeatable = true;  // parley answers a repeated webhook once
    if (!cfg->meta.app_secret.empty())
      req.headers.emplace_back("X-Hub-Signature-256",
                               meta_signature(cfg->meta.app_secret, body));
    auto res = client.send(req);
    if (res.status == 0) {
      std::cout << file << ": " << res.error << "\n";
      ++failures;
    } else {
      std::cout << file << ": " << res.status << " " << res.body << "\n";
      if (res.status != 200)
        ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}

int health(const std::string& config_path, bool explicit_config,
           std::string url) {
  auto cfg = load_config(config_path, explicit_config);
  if (url.empty())
    url = "http://" + cfg->listen_host + ":" + std::to_string(cfg->listen_port)
          + "/health";
  net::http_client client;
  net::client_request req;
  req.method = "GET";
  req.url = url;
  req.timeout = std::chrono::seconds(5);
  auto res = client.send(req);
  if (res.status == 0) {
    std::cout << "parley is not reachable at " << url << ": " << res.error
              << "\n";
    return 1;
  }
  std::cout << res.body << "\n";
  return res.status == 200 ? 0 : 1;
}

/// `parley brief`: asks the running serve to compose today's brief (and to
/// send it with --send) and prints it, with the day's scheduled brief.
int brief(const std::string& config_path, bool explicit_config, std::string tenant,
          bool send, std::string url) {
  auto cfg = load_config(config_path, explicit_config);
  if (tenant.empty())
    tenant = cfg->tenants->all().front()->id;
  if (cfg->admin_token.empty()) {
    std::cerr << "parley brief asks the running serve, which needs an admin token: "
                 "set admin_token_env and its variable\n";
    return 1;
  }
  if (url.empty())
    url = "http://" + cfg->listen_host + ":" + std::to_string(cfg->listen_port);
  net::http_client client;
  net::client_request req;
  req.url = url + "/api/tenants/" + tenant + "/brief";
  req.body = send ? R"({"send":true})" : R"({"send":false})";
  req.headers = {{"Authorization", "Bearer " + cfg->admin_token},
                 {"Content-Type", "application/json"}};
  req.timeout = std::chrono::milliseconds(cfg->brief.deadline_ms + 2 * cfg->llm.timeout_ms)
                + std::chrono::seconds(10);
  auto res = client.send(req);
  if (res.status == 0) {
    std::cerr << "parley is not reachable at " << url << " (" << res.error
              << "); start `parley serve` first\n";
    return 1;
  }
  auto j = nlohmann::json::parse(res.body, nullptr, false);
  if (res.status != 200 || !j.is_object()) {
    std::cerr << "parley answered " << res.status << ": " << res.body << "\n";
    return 1;
  }
  std::cout << j.value("text", "") << "\n\n";
  std::cout << "(" << (j.value("how", "") == "llm" ? "written by the LLM" : "the template");
  if (j["error"].is_string())
    std::cout << ": " << j["error"].get<std::string>();
  std::cout << (j.value("sent", false) ? "; sent to the owner" : "; not sent") << ")\n";
  auto& s = j["scheduled"];
  if (s.is_object())
    std::cout << "today's scheduled brief: " << s.value("state", "")
              << (s["error"].is_string() ? " (" + s["error"].get<std::string>() + ")" : "") << "\n";
  else
    std::cout << "today's scheduled brief: not sent yet\n";
  return 0;
}

/// `parley connect google`: starts the consent flow on the running serve,
/// prints the page to open, and waits until Google's redirect reached it.
int connect_google_cli(const std::string& config_path, bool explicit_config, std::string tenant,
                       std::string url, int timeout_s) {
  auto cfg = load_config(config_path, explicit_config);
  if (tenant.empty())
    tenant = cfg->tenants->all().front()->id;
  if (cfg->admin_token.empty()) {
    std::cerr << "parley connect asks the running serve, which needs an admin token: "
                 "set admin_token_env and its variable\n";
    return 1;
  }
  if (url.empty())
    url = "http://" + cfg->listen_host + ":" + std::to_string(cfg->listen_port);
  net::http_client client;
  auto call = [&](const std::string& method, const std::string& path) {
    net::client_request req;
    req.method = method;
    req.url = url + path;
    req.headers = {{"Authorization", "Bearer " + cfg->admin_token}};
    req.timeout = std::chrono::seconds(30);
    return client.send(req);
  };
  auto res = call("POST", "/api/tenants/" + tenant + "/connect/google");
  if (res.status == 0) {
    std::cerr << "parley is not reachable at " << url << " (" << res.error
              << "); start `parley serve` first: it receives Google's redirect\n";
    return 1;
  }
  auto j = nlohmann::json::parse(res.body, nullptr, false);
  if (res.status != 200 || !j.is_object()) {
    std::cerr << "parley answered " << res.status << ": " << res.body << "\n";
    return 1;
  }
  auto state = j.value("state", "");
  std::cout << "Open this page, sign in and allow access:\n\n  " << j.value("auth_url", "")
            << "\n\nGoogle sends you back to " << cfg->base_url()
            << "/oauth/google/callback; waiting up to " << timeout_s << " s ...\n"
            << std::flush;
  for (int waited = 0; waited < timeout_s; ++waited) {
    auto s = call("GET", "/api/oauth/" + state);
    auto st = nlohmann::json::parse(s.body, nullptr, false);
    auto status = st.is_object() ? st.value("status", "") : "";
    if (status == "connected") {
      std::cout << "Google is connected for tenant " << tenant << ".\n";
      return 0;
    }
    if (status == "failed" || status == "expired") {
      std::cerr << "not connected: "
                << (st["error"].is_string() ? st["error"].get<std::string>() : status) << "\n";
      return 1;
    }
    if (waited > 0 && waited % 15 == 0)
      std::cout << "still waiting (" << waited << " s)\n" << std::flush;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::cerr << "no answer from the browser within " << timeout_s << " s; run this again\n";
  return 1;
}

/// `parley hash-password`: the first line of `in` (typed, or piped so that
/// it stays out of the shell's history) as an Argon2id hash.
int hash_password(std::istream& in, std::ostream& out, std::ostream& err) {
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  if (line.size() < 12) {
    err << "a dashboard password needs at least 12 characters\n";
    return 1;
  }
  auto hashed = password::hash(line);
  if (hashed.empty()) {
    err << "hashing failed (not enough memory?)\n";
    return 1;
  }
  out << hashed << "\n";
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App cli{"parley — a self-hosted WhatsApp AI agent"};
  cli.require_subcommand(1);
  std::string config_path = "parley.json";
  auto add_config = [&](CLI::App* sub) {
    return sub->add_option("-c,--config", config_path,
                           "configuration file (JSON with comments)");
  };
  auto* serve_cmd = cli.add_subcommand("serve", "run the service");
  auto* serve_cfg = add_config(serve_cmd);
  auto* chat_cmd = cli.add_subcommand(
    "chat", "talk to a tenant in the terminal; replies print, nothing is sent");
  auto* chat_cfg = add_config(chat_cmd);
  std::string tenant, from;
  chat_cmd->add_option("--tenant", tenant, "tenant id (default: the first)");
  chat_cmd->add_option("--from", from, "sender number (default: the owner)");
  auto* replay_cmd = cli.add_subcommand(
    "replay", "post webhook payload files to a running parley, signed");
  auto* replay_cfg = add_config(replay_cmd);
  std::string url;
  std::vector<std::string> files;
  replay_cmd->add_option("--url", url, "webhook URL (default: from listen)");
  replay_cmd->add_option("files", files, "payload files")->required();
  std::string backup_file;
  auto* backup_cmd = cli.add_subcommand(
    "backup", "write the whole database to FILE (pg_dump; safe while parley runs)");
  auto* backup_cfg = add_config(backup_cmd);
  backup_cmd->add_option("file", backup_file, "where the backup goes")->required();
  auto* restore_cmd = cli.add_subcommand(
    "restore", "replace the database with a backup (stop parley serve first)");
  auto* restore_cfg = add_config(restore_cmd);
  restore_cmd->add_option("file", backup_file, "a file parley backup wrote")->required();
  auto* migrate_cmd = cli.add_subcommand("migrate", "apply schema migrations");
  auto* migrate_cfg = add_config(migrate_cmd);
  auto* health_cmd = cli.add_subcommand("health", "ask a running parley");
  auto* health_cfg = add_config(health_cmd);
  health_cmd->add_option("--url", url, "health URL (default: from listen)");
  auto* evolution_cmd = cli.add_subcommand(
    "evolution", "pair and inspect Evolution API (WhatsApp Web) instances");
  evolution_cmd->require_subcommand(1);
  auto* connect_cmd = evolution_cmd->add_subcommand(
    "connect", "create the instance if missing, show its QR code, wait until it is open");
  auto* connect_cfg = add_config(connect_cmd);
  evolution_connect_options connect_opts;
  int timeout_s = 180, poll_ms = 2000;
  connect_cmd->add_option("instance", connect_opts.instance, "instance name")->required();
  connect_cmd->add_option("--webhook-url", connect_opts.webhook_url,
                          "where Evolution posts events (default: from listen)");
  connect_cmd->add_option("--timeout", timeout_s, "seconds to wait for the phone (180)");
  connect_cmd->add_option("--poll-ms", poll_ms, "how often to ask for the state (2000)");
  auto* status_cmd = evolution_cmd->add_subcommand(
    "status", "the connection state of every Evolution tenant's instance");
  auto* status_cfg = add_config(status_cmd);
  auto* brief_cmd = cli.add_subcommand(
    "brief", "compose today's brief now on the running serve and print it");
  auto* brief_cfg = add_config(brief_cmd);
  bool brief_send = false;
  brief_cmd->add_option("--tenant", tenant, "tenant id (default: the first)");
  brief_cmd->add_flag("--send", brief_send, "also send it to the owner");
  brief_cmd->add_option("--url", url, "parley's base URL (default: from listen)");
  auto* connect_top = cli.add_subcommand("connect", "connect an account (OAuth consent)");
  connect_top->require_subcommand(1);
  auto* google_cmd = connect_top->add_subcommand(
    "google", "Google Calendar and Gmail for a tenant, through the running serve");
  auto* google_cfg = add_config(google_cmd);
  int google_timeout = 300;
  google_cmd->add_option("--tenant", tenant, "tenant id (default: the first)");
  google_cmd->add_option("--url", url, "parley's base URL (default: from listen)");
  google_cmd->add_option("--timeout", google_timeout, "seconds to wait for the browser (300)");
  auto* check_cmd = cli.add_subcommand(
    "check-config", "validate the configuration and print every problem");
  add_config(check_cmd);
  auto* hash_cmd = cli.add_subcommand(
    "hash-password", "read a dashboard password from stdin and print its hash"
                     " (for dashboard.password_hash_env)");
  cli.add_subcommand("version", "print the version");
  CLI11_PARSE(cli, argc, argv);
  try {
    if (*serve_cmd)
      return serve(config_path, serve_cfg->count() > 0);
    if (*chat_cmd)
      return chat(config_path, chat_cfg->count() > 0, tenant, from);
    if (*replay_cmd)
      return replay(config_path, replay_cfg->count() > 0, url, files);
    if (*check_cmd)
      return check_config(config_path);
    if (*hash_cmd)
      return hash_password(std::cin, std::cout, std::cerr);
    if (*google_cmd)
      return connect_google_cli(config_path, google_cfg->count() > 0, tenant, url, google_timeout);
    if (*brief_cmd)
      return brief(config_path, brief_cfg->count() > 0, tenant, brief_send, url);
    if (*backup_cmd) {
      auto cfg = load_config(config_path, backup_cfg->count() > 0);
      auto db = open_database(*cfg, /*quiet=*/true);
      storage::backup_database(db.conninfo, backup_file);
      std::cout << "backup written to " << backup_file << "\n";
      return 0;
    }
    if (*restore_cmd) {
      auto cfg = load_config(config_path, restore_cfg->count() > 0);
      // The embedded cluster's data directory is locked while parley serve
      // runs: restoring under a running service would mix two histories.
      int lock = cfg->database_url.empty() ? storage::lock_data_dir(cfg->data_dir) : -1;
      auto db = open_database(*cfg, /*quiet=*/true);
      storage::restore_database(db.conninfo, backup_file);
      storage::connection conn(db.conninfo);
      storage::migrate(conn);  // a backup from an older parley is brought up to date
      std::cout << "restored " << backup_file << "\n";
      if (lock >= 0)
        close(lock);
      return 0;
    }
    if (*migrate_cmd) {
      auto cfg = load_config(config_path, migrate_cfg->count() > 0);
      auto db = open_database(*cfg);
      std::cout << "database is at schema version "
                << storage::migrations().back().version << "\n";
      return 0;
    }
    if (*health_cmd)
      return health(config_path, health_cfg->count() > 0, url);
    if (*connect_cmd) {
      connect_opts.timeout = std::chrono::seconds(timeout_s);
      connect_opts.poll = std::chrono::milliseconds(poll_ms);
      auto cfg = load_config(config_path, connect_cfg->count() > 0);
      return evolution_connect(*cfg, connect_opts, std::cout, std::cerr);
    }
    if (*status_cmd) {
      auto cfg = load_config(config_path, status_cfg->count() > 0);
      return evolution_status(*cfg, std::cout, std::cerr);
    }
    std::cout << "parley " << version << "\n";
    return 0;
  } catch (const std::exception& e) {
    log::error(e.what());
    return 1;
  }
}
