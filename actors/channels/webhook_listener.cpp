#include "actors/channels/webhook_listener.hpp"

#include "actors/app/dashboard.hpp"
#include "actors/channels/trigger_hooks.hpp"

#include "protocol/time_zone.hpp"

#include "actors/app/admin_api.hpp"
#include "actors/log.hpp"
#include "protocol/graph_api.hpp"
#include "protocol/json_text.hpp"
#include "protocol/signature.hpp"
#include "protocol/url.hpp"

#include <caf/send.hpp>
#include <nlohmann/json.hpp>

namespace parley {

namespace {

/// An item stored only for the record; one without an id of its own is
/// de-duplicated by its content.
void mark_ignored(storage::event_row& row, const std::string& reason,
                  const std::string& raw) {
  row.kind = "ignored";
  row.reason = reason;
  if (row.external_id.empty())
    row.external_id = "ignored:" + sha256_hex(raw);
}

} // namespace

std::vector<storage::event_row>
meta_event_rows(const config& cfg,
                const std::vector<meta::webhook_item>& items) {
  std::vector<storage::event_row> rows;
  for (auto& item : items) {
    storage::event_row row;
    row.provider = "meta";
    row.external_id = item.external_id;
    row.payload = item.raw;
    row.message_id = item.message_id;
    row.msg_type = item.type;
    auto tenant = cfg.tenant_by_phone_number_id(item.phone_number_id);
    if (tenant)
      row.tenant = tenant->id;
    switch (item.kind) {
      case meta::item_kind::message:
        row.kind = "message";
        row.chat = item.from;
        row.sender = item.from;
        row.sender_name = storable_text(item.sender_name);
        row.body = storable_text(item.text);
        if (!tenant) {
          row.kind = "ignored";
          row.reason = "unknown phone_number_id " + item.phone_number_id;
        }
        break;
      case meta::item_kind::status:
        row.kind = "status";
        row.status = {item.message_id, item.status, item.error_code,
                      item.error_title, graph::outbox_of_callback(item.callback)};
        break;
      case meta::item_kind::ignored:
        mark_ignored(row, item.reason, item.raw);
        row.sender = item.from;
        break;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<storage::event_row>
evolution_event_rows(const config& cfg,
                     const std::vector<evolution::webhook_item>& items) {
  std::vector<storage::event_row> rows;
  for (auto& item : items) {
    storage::event_row row;
    row.provider = "evolution";
    row.external_id = item.external_id;
    row.payload = item.raw;
    row.message_id = item.message_id;
    row.msg_type = item.type;
    row.sender = item.sender;
    auto tenant = cfg.tenant_by_instance(item.instance);
    if (tenant)
      row.tenant = tenant->id;
    switch (item.kind) {
      case evolution::item_kind::message:
        row.kind = "message";
        row.chat = item.chat;
        row.sender_name = storable_text(item.sender_name);
        row.body = storable_text(item.text);
        row.context = {item.group, item.bot_jid, item.mentions, item.quoted_id,
                       item.quoted_sender};
        if (!tenant) {
          row.kind = "ignored";
          row.reason = "no tenant for instance '" + item.instance + "'";
        }
        break;
      case evolution::item_kind::connection:
      case evolution::item_kind::qrcode:
        // One event per state change; a repeat of the same state is a duplicate.
        row.kind = "channel";
        row.chat = item.instance;
        row.msg_type = item.kind == evolution::item_kind::connection ? "connection" : "qrcode";
        row.channel_state = item.state;
        row.qr_code = item.qr_code;
        row.pairing_code = item.pairing_code;
        row.context.bot_id = item.bot_jid;
        row.external_id = item.instance + ":" + row.msg_type + ":" + sha256_hex(item.raw);
        break;
      case evolution::item_kind::ignored:
        mark_ignored(row, item.reason, item.raw);
        break;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {

net::http_response text(unsigned status, std::string body) {
  return {status, "text/plain; charset=utf-8", std::move(body)};
}

net::http_response verify_subscription(const config& cfg,
                                       const net::http_request& req) {
  auto mode = query_param(req.target, "hub.mode");
  auto token = query_param(req.target, "hub.verify_token");
  auto challenge = query_param(req.target, "hub.challenge");
  if (!mode || *mode != "subscribe" || !token || !challenge)
    return net::json_error(400, "bad_request",
                           "expected hub.mode=subscribe, hub.verify_token and "
                           "hub.challenge");
  if (cfg.meta.verify_token.empty()
      || !constant_time_equal(*token, cfg.meta.verify_token))
    return net::json_error(403, "forbidden", "the verify token does not match");
  return text(200, *challenge);
}

/// Answers once the batch is committed: 200, or 503 so the sender retries.
void commit_then_respond(const ingest_actor& ingest, std::shared_ptr<ingest_metrics> metrics,
                         std::vector<storage::event_row> rows,
                         net::respond_fn respond) {
  webhook_batch batch;
  batch.rows = std::move(rows);
  auto arrived = steady_us();
  batch.on_commit = [respond, metrics, arrived](ingest_ack ack) {
    if (!ack.stored)
      return respond(net::json_error(503, "storage_unavailable",
                                     "the event could not be stored; "
                                     "deliver it again later"));
    if (metrics)
      metrics->ack.observe_us(steady_us() - arrived);
    nlohmann::json j = {{"status", "ok"},
                        {"stored", ack.fresh},
                        {"duplicates", ack.duplicates}};
    respond({200, "application/json", j.dump()});
  };
  caf::anon_send(ingest, atom::ingest_v, std::move(batch));
}

void receive_evolution(const config& cfg, const ingest_actor& ingest,
                       std::shared_ptr<ingest_metrics> metrics, net::http_request req,
                       net::respond_fn respond) {
  if (cfg.evolution.api_key.empty())
    return respond(net::json_error(401, "unauthorized",
                                   "no Evolution API key is configured "
                                   "(evolution.api_key_env)"));
  auto key = req.header("apikey");
  if (key.empty() || !constant_time_equal(key, cfg.evolution.api_key))
    return respond(net::json_error(401, "unauthorized",
                                   "the apikey header is missing or wrong"));
  auto parsed = evolution::parse_webhook(req.body);
  if (!parsed.ok)
    return respond(net::json_error(400, "malformed", parsed.error));
  commit_then_respond(ingest, std::move(metrics), evolution_event_rows(cfg, parsed.items),
                      std::move(respond));
}

void receive_meta(const config& cfg, const ingest_actor& ingest,
                  std::shared_ptr<ingest_metrics> metrics, net::http_request req,
                  net::respond_fn respond) {
  if (cfg.meta.app_secret.empty())
    return respond(net::json_error(401, "invalid_signature",
                                   "no app secret is configured "
                                   "(meta.app_secret_env), so no signature "
                                   "can be verified"));
  auto sig = req.header("x-hub-signature-256");
  if (sig.empty())
    return respond(net::json_error(401, "invalid_signature",
                                   "the X-Hub-Signature-256 header is missing"));
  if (!verify_meta_signature(cfg.meta.app_secret, req.body, sig))
    return respond(net::json_error(401, "invalid_signature",
                                   "X-Hub-Signature-256 does not match the "
                                   "body"));
  auto parsed = meta::parse_webhook(req.body);
  if (!parsed.ok)
    return respond(net::json_error(400, "malformed", parsed.error));
  commit_then_respond(ingest, std::move(metrics), meta_event_rows(cfg, parsed.items),
                      std::move(respond));
}

/// Every tenant's connectors: configured ones with their last outcome (ok
/// until the first call says otherwise), the others not_configured.
nlohmann::json connector_health_json(const config& cfg, const connector_board& board,
                                     bool& any_failing) {
  auto seen = board.snapshot();
  nlohmann::json tenants = nlohmann::json::object();
  for (auto& tenant : cfg.tenants->all()) {
    auto& t = *tenant;
    auto configured = [&](const std::string& name) {
      if (name == "calendar") return t.connectors.calendar.configured();
      if (name == "mail") return t.connectors.mail.configured();
      if (name == "github") return t.connectors.github.enabled;
      if (name == "weather") return t.connectors.weather.enabled;
      if (name == "shell") return t.shell.enabled;
      return true;  // tasks
    };
    nlohmann::json connectors = nlohmann::json::object();
    for (auto name : {"calendar", "mail", "github", "weather", "tasks", "shell"}) {
      nlohmann::json c = {{"status", "not_configured"}, {"last_success", nullptr},
                          {"error", nullptr}};
      if (configured(name)) {
        c["status"] = "ok";
        auto tenant = seen.find(t.id);
        if (tenant != seen.end())
          if (auto h = tenant->second.find(name); h != tenant->second.end()) {
            c["status"] = h->second.status;
            if (h->second.last_success_ms > 0)
              c["last_success"] = tz::rfc3339_utc(h->second.last_success_ms);
            if (!h->second.error.empty())
              c["error"] = h->second.error;
            any_failing = any_failing || h->second.status == "failing";
          }
      }
      connectors[name] = c;
    }
    tenants[t.id] = {{"connectors", connectors}};
  }
  return tenants;
}

net::http_response health(const config& cfg, const ingest_metrics& m,
                          const connector_board& board) {
  bool db = m.storage_ok.load();
  bool failing = false;
  auto tenants = connector_health_json(cfg, board, failing);
  nlohmann::json j = {
    {"status", !db ? "down" : failing ? "degraded" : "ok"},
    {"database", {{"status", db ? "ok" : "down"},
                  {"detail", db ? "last commit succeeded"
                                : "the last commit failed"}}},
    {"llm", {{"status", cfg.llm.enabled() ? "ok" : "absent"},
             {"detail", cfg.llm.enabled()
                          ? "configured: " + cfg.llm.model
                          : "no LLM configured; deterministic answers only"}}},
    {"channels", {{"meta", {{"status", cfg.meta.app_secret.empty() ? "unconfigured" : "ok"}}},
                  {"evolution", {{"status", cfg.evolution.enabled() ? "ok" : "unconfigured"}}}}},
    {"tenants", tenants},
    // parley's wall clock, so that an operator can see a skewed one.
    {"time", tz::rfc3339_utc(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count())},
  };
  return {db ? 200u : 503u, "application/json", j.dump()};
}

net::http_response metrics_text(const ingest_metrics& m) {
  std::string out;
  auto counter = [&](const char* name, const char* help, uint64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name
           + " counter\n" + name + " " + std::to_string(value) + "\n";
  };
  counter("parley_webhook_events_total", "Webhook items stored.", m.events);
  counter("parley_webhook_duplicates_total", "Duplicate webhook items.",
          m.duplicates);
  counter("parley_ingest_commits_total", "Group-commit transactions.",
          m.commits);
  counter("parley_ingest_failures_total", "Batches that could not be stored.",
          m.failures);
  counter("parley_messages_completed_total",
          "Messages done with: answered, heard in a group or ignored.",
          m.completed);
  counter("parley_completion_batches_total",
          "Transactions that completed messages together (group commit).",
          m.completion_batches);
  counter("parley_completions_batched_total",
          "Messages completed in those transactions.", m.completions_batched);
  auto& e = *m.edge;
  out += "# HELP parley_http_connections_open Connections open now.\n"
         "# TYPE parley_http_connections_open gauge\n"
         "parley_http_connections_open " + std::to_string(e.open.load()) + "\n";
  out += "# HELP parley_http_refused_total Connections and requests the HTTP edge "
         "refused or cut short, by reason.\n# TYPE parley_http_refused_total counter\n";
  for (auto [reason, value] :
       {std::pair{"connection_cap", e.refused_at_cap.load()},
        {"per_address", e.refused_per_address.load()},
        {"idle_evicted", e.idle_evicted.load()}, {"head_timeout", e.head_timeouts.load()},
        {"idle_timeout", e.idle_timeouts.load()}, {"body_timeout", e.body_timeouts.load()},
        {"bad_request", e.bad_requests.load()}})
    out += std::string("parley_http_refused_total{reason=\"") + reason + "\"} "
           + std::to_string(value) + "\n";
  auto histogram = [&](const char* name, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " histogram\n";
  };
  histogram("parley_ack_seconds", "From a webhook's arrival to its acknowledgement (stored).");
  out += m.ack.text("parley_ack_seconds", "");
  histogram("parley_reply_seconds",
            "From a message's commit to its answer's, by the path it took.");
  for (size_t p = 0; p < m.reply.size(); ++p)
    if (m.reply[p].count() > 0)
      out += m.reply[p].text("parley_reply_seconds",
                             "path=\"" + to_string(static_cast<answer_path>(p)) + "\"");
  histogram("parley_llm_seconds", "One call to the model.");
  out += m.llm.text("parley_llm_seconds", "");
  histogram("parley_send_seconds", "One request to the Graph API or Evolution.");
  out += m.send->text("parley_send_seconds", "");
  histogram("parley_tool_seconds", "One tool call of the agent loop.");
  out += m.tool.text("parley_tool_seconds", "");
  out += m.tenant_text();
  return {200, "text/plain; version=0.0.4", out};
}

} // namespace

net::http_handler make_http_handler(std::shared_ptr<const config> cfg,
                                    ingest_actor ingest,
                                    std::shared_ptr<ingest_metrics> metrics,
                                    admin_actors admin,
                                    std::shared_ptr<const connector_board> board) {
  if (!board)
    board = std::make_shared<connector_board>();
  auto dash = std::make_shared<dashboard>(cfg);
  return [cfg, ingest, metrics, admin, board, dash](net::http_request req,
                                                    net::respond_fn respond) {
    auto path = req.path();
    if (path.compare(0, 5, "/api/") == 0 && admin.gate && admin.storage) {
      auto hardened = [respond](net::http_response res) {
        dashboard::harden(res);
        respond(std::move(res));
      };
      if (auto refusal = dash->refuse_api(req))
        return hardened(std::move(*refusal));
      return handle_admin_api(admin.gate->home_system(), *cfg, admin,
                              std::move(req), hardened);
    }
    if (path == "/dashboard" || path.compare(0, 11, "/dashboard/") == 0)
      return dash->handle(req, respond);
    if (path == "/webhooks/meta/whatsapp") {
      if (req.method == "GET")
        return respond(verify_subscription(*cfg, req));
      if (req.method == "POST")
        return receive_meta(*cfg, ingest, metrics, std::move(req), std::move(respond));
      return respond(net::json_error(405, "method_not_allowed",
                                     "use GET or POST"));
    }
    if (path == "/webhooks/evolution") {
      if (req.method == "POST")
        return receive_evolution(*cfg, ingest, metrics, std::move(req), std::move(respond));
      return respond(net::json_error(405, "method_not_allowed", "use POST"));
    }
    if (path.compare(0, 7, "/hooks/") == 0 && admin.gate)
      return receive_hook(admin.gate->home_system(), *cfg, admin.workflows, req,
                          std::move(respond));
    if (path == "/oauth/google/callback" && req.method == "GET" && admin.gate)
      return google_callback(admin.gate->home_system(), admin, std::move(req), std::move(respond));
    if (path == "/health" && req.method == "GET")
      return respond(health(*cfg, *metrics, *board));
    if (path == "/metrics" && req.method == "GET")
      return respond(metrics_text(*metrics));
    respond(net::json_error(404, "not_found", "no route for " + req.method + " "
                                                + path));
  };
}

} // namespace parley
