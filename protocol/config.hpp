#pragma once

// The configuration file (JSON with comments) and its defaults. Secrets are
// never in the file: keys ending in `_env` name environment variables, which
// are resolved here through the lookup function the caller passes.

#include "protocol/automation.hpp"
#include "protocol/business.hpp"
#include "protocol/calendar_source.hpp"
#include "protocol/tenant_directory.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace parley {

/// Every problem of a configuration, each "<key path>: <what is wrong>";
/// what() lists them one a line.
struct config_error : std::runtime_error {
  explicit config_error(const std::string& problem)
    : config_error(std::vector<std::string>{problem}) {}
  explicit config_error(std::vector<std::string> all);
  std::vector<std::string> problems;
};

struct llm_config {
  std::string base_url;  ///< empty: no LLM, deterministic answers only
  std::string model = "gpt-4o-mini";
  std::string api_key;
  int timeout_ms = 30000;
  int workers = 4;  ///< concurrent LLM calls
  int max_tool_rounds = 5;  ///< model turns with tools before a plain answer
  /// POST {base_url}/audio/transcriptions with this model (voice notes).
  std::string transcription_model = "whisper-1";
  /// Pictures go to the model as image_url parts (a model that sees them).
  bool vision = false;
  bool enabled() const { return !base_url.empty(); }
};

struct meta_config {
  std::string graph_url = "https://graph.facebook.com";
  std::string api_version = "v21.0";
  std::string app_secret;
  std::string verify_token;
};

/// The Evolution API bridge (WhatsApp Web), for groups.
struct evolution_config {
  std::string base_url;  ///< empty: no Evolution channel
  std::string api_key;   ///< sent as `apikey`, and required on its webhooks
  bool enabled() const { return !base_url.empty(); }
};

/// A tenant's shell connector; a tenant without a `shell` block has none.
struct shell_config {
  bool enabled = false;
  std::string workdir;
  std::vector<std::string> allow;  ///< read-only commands run without approval
  int timeout_ms = 30000;
  int output_limit = 65536;        ///< bytes kept; a command printing more is stopped
  std::vector<std::string> brief;  ///< checks for the morning brief (allowlisted)
};

/// A tenant's mailbox: Gmail through its API, or any IMAP server.
struct mail_source {
  std::string provider;  ///< "", gmail, imap
  std::string host;      ///< imap
  int port = 993;
  bool tls = true;       ///< imaps (certificate and host name verified)
  std::string username;
  std::string password;  ///< from password_env
  std::string password_env;
  std::string inbox = "INBOX";
  std::string sent_folder = "Sent";
  int followup_days = 3;  ///< a sent thread unanswered this long is a followup
  /// imap: the sender of replies (default: username when it is an address).
  std::string address;
  /// imap: where replies are submitted, with the same login; implicit TLS on
  /// 465 by default, or STARTTLS (required) with smtp.tls false.
  std::string smtp_host;  ///< default: host
  int smtp_port = 465;
  bool smtp_tls = true;
  bool configured() const { return !provider.empty(); }
};

/// GitHub: review requests, assigned work and failing checks in `repos`.
struct github_source {
  bool enabled = false;
  std::string token;  ///< from token_env
  std::string token_env;
  std::vector<std::string> repos;  ///< owner/name; empty: every repository
};

/// Open-Meteo's forecast for one place.
struct weather_source {
  bool enabled = false;
  double latitude = 0;
  double longitude = 0;
  std::string place;
};

struct tenant_connectors {
  calendar_source calendar;
  mail_source mail;
  github_source github;
  weather_source weather;
};


struct tenant_config {
  std::string id;
  std::string kind = "personal";  ///< personal, business, group
  std::string channel = "meta";   ///< meta, evolution
  std::string phone_number_id;
  std::string access_token;
  std::string access_token_env;  ///< the variable's name (shown instead of the token)
  std::string owner;  ///< personal tenants answer only this number
  std::string language = "en";
  std::string timezone = "UTC";
  std::string policy = "act_with_approval";
  int memory = 20;
  std::string system_prompt;
  std::string bot_name = "Parley";
  std::vector<std::string> approvers;  ///< besides the owner, who may approve
  int approval_ttl_s = 3600;           ///< a pending approval expires after this
  int messages_per_second = 80;        ///< Meta: the number's send rate (1000 after upgrade)
  shell_config shell;
  tenant_connectors connectors;
  std::string brief_at;         ///< "HH:MM" local; empty: no scheduled brief
  template_ref brief_template;  ///< the brief outside the 24-hour window
  business_config business;     ///< kind business: services, hours, bookings
  // -- Evolution API tenants
  std::string instance;                ///< the Evolution instance name
  std::string bot_number;              ///< the bot's own number, if known up front
  std::vector<std::string> aliases;    ///< other names the bot answers to in groups
  double relevance_threshold = 0.7;    ///< a group reply needs at least this score
  int group_replies_per_minute = 3;    ///< per group; more relevant messages stay unanswered
};

/// Defaults shared by every tenant's connectors.
struct connectors_config {
  int timeout_ms = 10000;
  int cache_s = 60;  ///< a summary is reused this long
};

struct brief_config {
  int deadline_ms = 20000;             ///< the gather's one deadline
  std::string catch_up_until = "12:00"; ///< a missed brief is sent until then
};

/// Where the connectors' public APIs are (tests point them at fakes).
struct apis_config {
  std::string weather_url = "https://api.open-meteo.com";
  std::string github_url = "https://api.github.com";
  std::string google_api_url = "https://www.googleapis.com";
  std::string google_auth_url = "https://accounts.google.com/o/oauth2/v2/auth";
  std::string google_token_url = "https://oauth2.googleapis.com/token";
  std::string google_client_id;
  std::string google_client_secret;
};

struct config {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  std::string data_dir = "var";
  /// Voice notes, pictures and documents are kept under <data_dir>/media
  /// after use (off: their bytes live only while the message is handled).
  bool keep_media = false;
  std::string database_url;  ///< empty: the embedded cluster under data_dir
  std::string admin_token;
  llm_config llm;
  meta_config meta;
  evolution_config evolution;
  /// The tenants in force, live: the file's, then those made over the API.
  /// Shared by every copy of this config, so that a change reaches everyone.
  std::shared_ptr<tenant_directory> tenants = std::make_shared<tenant_directory>();
  connectors_config connectors;
  brief_config brief;
  apis_config apis;
  automation_config automation;  ///< hooks, workflows, schedules, the context hub
  std::string public_url;        ///< how the world reaches parley; "" = http://<listen>
  std::string secret_key;        ///< base64, from secret_key_env; "" = <data_dir>/secret.key

  /// Where the world reaches parley: public_url, or http://<listen>.
  std::string base_url() const;
  int db_pool = 4;               ///< storage connections for sessions
  int senders = 2;               ///< outbox workers (per-chat order kept)
  /// Kept-alive connections the senders keep open to one host at most.
  int send_connections = 16;
  int http_threads = 2;
  std::size_t body_limit = 1 << 20;
  /// The HTTP edge's limits (see net/http_server.hpp for what each bounds).
  /// Believe X-Forwarded-For and X-Forwarded-Proto from the reverse proxy in
  /// front (per-address login limits, Secure cookies). Off: a client could
  /// claim any address with them.
  bool trust_proxy = false;
  /// "text" (a sentence a line) or "json" (one object a line, with the run).
  std::string log_format = "text";
  struct dashboard_settings {
    int session_s = 43200;  ///< a login lasts this long (12 hours)
    /// A password accepted at the log-in besides the admin token, as its
    /// hash (password_hash_env); empty: the token only.
    std::string password_hash;
  } dashboard;
  struct http_limits {
    int head_timeout_s = 10;   ///< a request head, from its first byte
    int idle_timeout_s = 60;   ///< a kept-alive connection with nothing asked
    int body_min_rate = 16384; ///< bytes/s a body must keep up
    int max_connections = 4096;
    int max_connections_per_address = 256;
  } http;
  int session_idle_s = 600;      ///< passivate a session idle this long
  /// At most this many live sessions: beyond it the least recently used is
  /// passivated (its memory is read again when it speaks next), so memory
  /// does not grow with the number of people who wrote in the last minutes.
  int max_sessions = 5000;
  /// At most this many acknowledged messages are in the sessions' hands;
  /// beyond it the rest wait in PostgreSQL (the router keeps their ids) and
  /// are read in arrival order as the sessions drain, so memory does not
  /// grow with the backlog.
  int max_queued_messages = 1000;
  int send_max_attempts = 12;
  int send_backoff_ms = 500;     ///< first retry delay; doubles, capped
  int send_backoff_max_ms = 300000;
  /// After a crash mid-send, how long a reply waits for Meta's status webhook
  /// to prove it went out before it is sent again.
  int send_in_doubt_ms = 30000;
  int send_timeout_ms = 10000;
  bool log_text = false;         ///< debug: log message text

  tenant_ptr tenant_by_id(const std::string& id) const { return tenants->by_id(id); }
  tenant_ptr tenant_by_phone_number_id(const std::string& id) const {
    return tenants->by_phone_number_id(id);
  }
  tenant_ptr tenant_by_instance(const std::string& instance) const {
    return tenants->by_instance(instance);
  }
};

using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

/// Parses the configuration text strictly (unknown keys, wrong types and
/// impossible values are errors); throws config_error with every problem.
config parse_config(const std::string& text, const env_lookup& env);

/// Parses one tenant given over the admin API, validated exactly like a
/// tenant of the file (problems name keys relative to the tenant, such as
/// "business.services[0].minutes"), and checked against the tenants in force
/// in `c` other than the one with id `replacing`: no phone_number_id or
/// Evolution instance may belong to two. Throws config_error.
tenant_config parse_tenant(const std::string& text, const config& c, const env_lookup& env,
                           const std::string& replacing = "");

/// The configuration used when no file exists: one personal tenant, no LLM.
config default_config();

} // namespace parley
