#include "actors/app/admin_api.hpp"

#include "actors/errors.hpp"
#include "protocol/qr_text.hpp"
#include "protocol/signature.hpp"
#include "protocol/url.hpp"

#include <caf/event_based_actor.hpp>

#include <nlohmann/json.hpp>

namespace parley {

namespace {

using nlohmann::json;

json to_json(const approval_record& a) {
  return {{"id", a.id},
          {"tenant", a.tenant},
          {"kind", a.kind},
          {"arguments", a.argv},
          {"summary", a.summary},
          {"requested_by", a.requested_by},
          {"reason", a.reason},
          {"state", a.state},
          {"decided_by", a.decided_by.empty() ? json() : json(a.decided_by)},
          {"decided_via", a.decided_via.empty() ? json() : json(a.decided_via)},
          {"outcome", a.outcome.empty() ? json() : json(a.outcome)},
          {"created_ms", a.created_ms},
          {"expires_ms", a.expires_ms}};
}

net::http_response ok(const json& j) { return {200, "application/json", j.dump()}; }

json to_json(const outbox_item& o) {
  return {{"id", o.id},
          {"tenant", o.tenant},
          {"chat", o.chat},
          {"recipient", o.recipient},
          {"body", o.body}};
}

/// Drafts: a conflict is a row that is no longer a draft.
net::http_response from_error(const caf::error& err) {
  return error_response(err, "not_a_draft");
}

/// Status codes for an approval decision.
net::http_response decision_response(const approval_outcome& o) {
  json j = {{"id", o.id}, {"status", o.status}, {"state", o.state}, {"message", o.reply}};
  if (o.status == "not_found")
    return net::json_error(404, "not_found", o.reply);
  if (o.status == "conflict" || o.status == "expired")
    return {409, "application/json",
            json{{"error", o.status == "expired" ? "expired" : "already_decided"},
                 {"detail", o.reply},
                 {"state", o.state}}
              .dump()};
  return ok(j);
}

/// "/12/approve" → {12, "approve"}; id 0 when the segment is not a number.
struct id_route {
  int64_t id = 0;
  std::string verb;
};

id_route split_id_route(const std::string& rest) {
  id_route r;
  auto slash = rest.find('/', 1);
  auto segment = rest.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
  if (slash != std::string::npos)
    r.verb = rest.substr(slash + 1);
  if (segment.empty() || segment.size() > 18)
    return r;
  int64_t id = 0;
  for (char c : segment) {
    if (c < '0' || c > '9')
      return r;
    id = id * 10 + (c - '0');
  }
  r.id = id;
  return r;
}

/// Long enough for an approved command to run to its own timeout.
constexpr auto gate_timeout = std::chrono::seconds(120);

/// GET /api/drafts[?tenant=], POST /api/drafts/{id}/send|discard.
void drafts(caf::actor_system& sys, policy_gate_actor gate,
            const net::http_request& req, net::respond_fn respond) {
  auto rest = req.path().substr(11); // "", "/12/send"
  if (rest.empty() || rest == "/") {
    if (req.method != "GET")
      return respond(net::json_error(405, "method_not_allowed", "use GET"));
    auto tenant = query_param(req.target, "tenant").value_or("");
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(gate, gate_timeout, atom::drafts_v, tenant)
        .then(
          [=](const std::vector<outbox_item>& rows) {
            json list = json::array();
            for (auto& o : rows)
              list.push_back(to_json(o));
            respond(ok({{"drafts", list}}));
          },
          [=](const caf::error& err) { respond(from_error(err)); });
    });
    return;
  }
  auto [id, verb] = split_id_route(rest);
  if (id == 0 || (verb != "send" && verb != "discard"))
    return respond(net::json_error(404, "not_found", "no route for " + req.path()));
  if (req.method != "POST")
    return respond(net::json_error(405, "method_not_allowed", "use POST"));
  auto send = verb == "send";
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(gate, gate_timeout, atom::release_v, id, send)
      .then(
        [=](const outbox_item& o) {
          auto j = to_json(o);
          j["state"] = send ? "pending" : "discarded";
          respond(ok(j));
        },
        [=](const caf::error& err) { respond(from_error(err)); });
  });
}

json to_json(const decision_record& d) {
  return {{"id", d.id},
          {"tenant", d.tenant},
          {"chat", d.chat},
          {"sender_name", d.sender_name},
          {"message", d.message},
          {"score", d.score},
          {"reason", d.reason},
          {"threshold", d.threshold},
          {"method", d.method},
          {"replied", d.replied},
          {"latency_ms", d.latency_us / 1000.0},
          {"created_ms", d.created_ms}};
}

/// GET /api/decisions[?tenant=&chat=]: why the bot spoke or stayed silent.
void decisions(caf::actor_system& sys, storage_actor storage,
               const net::http_request& req, net::respond_fn respond) {
  if (req.method != "GET")
    return respond(net::json_error(405, "method_not_allowed", "use GET"));
  auto tenant = query_param(req.target, "tenant").value_or("");
  auto chat = query_param(req.target, "chat").value_or("");
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(storage, gate_timeout, atom::decisions_v, tenant, chat)
      .then(
        [=](const std::vector<decision_record>& rows) {
          json list = json::array();
          for (auto& d : rows)
            list.push_back(to_json(d));
          respond(ok({{"decisions", list}}));
        },
        [=](const caf::error& err) { respond(from_error(err)); });
  });
}

json to_json(const instance_report& r) {
  json j = {{"state", r.state.empty() ? json() : json(r.state)}};
  if (!r.qr_code.empty()) {
    j["qr_code"] = r.qr_code;
    j["qr_svg"] = qr_to_svg(r.qr_code);  // what the dashboard draws
  }
  if (!r.pairing_code.empty())
    j["pairing_code"] = r.pairing_code;
  if (!r.webhook.empty()) {
    j["webhook"] = r.webhook;
    j["created"] = r.created;
  }
  return j;
}

/// GET /api/evolution/{instance}, POST /api/evolution/{instance}/connect
/// [?webhook_url=]: what `parley evolution status|connect` do, one look each.
void evolution(caf::actor_system& sys, evolution_admin_actor admin,
               const net::http_request& req, net::respond_fn respond) {
  if (!admin)
    return respond(net::json_error(400, "not_configured",
                                   "no Evolution API is configured (evolution.base_url)"));
  auto rest = req.path().substr(15); // "whatsapp-agent", "whatsapp-agent/connect"
  auto slash = rest.find('/');
  auto instance = url_decode(rest.substr(0, slash));
  auto verb = slash == std::string::npos ? std::string{} : rest.substr(slash + 1);
  if (instance.empty() || (verb != "" && verb != "connect"))
    return respond(net::json_error(404, "not_found", "no route for " + req.path()));
  if (req.method != (verb.empty() ? "GET" : "POST"))
    return respond(net::json_error(405, "method_not_allowed",
                                   verb.empty() ? "use GET" : "use POST"));
  auto render = [=](const instance_report& r) {
    if (!r.error.empty())
      return respond(net::json_error(502, "evolution_failed", r.error));
    auto j = to_json(r);
    j["instance"] = instance;
    respond(ok(j));
  };
  auto webhook = query_param(req.target, "webhook_url").value_or("");
  sys.spawn([=](caf::event_based_actor* self) {
    auto failed = [=](const caf::error& err) {
      respond(net::json_error(503, "unavailable", describe(err)));
    };
    if (verb.empty())
      self->request(admin, gate_timeout, atom::status_v, instance).then(render, failed);
    else
      self->request(admin, gate_timeout, atom::connect_v, instance, webhook)
        .then(render, failed);
  });
}

} // namespace

net::http_response error_response(const caf::error& err, const char* conflict_code) {
  if (err.category() == caf::atom("parley")) {
    if (static_cast<errc>(err.code()) == errc::not_found)
      return net::json_error(404, "not_found", describe(err));
    if (static_cast<errc>(err.code()) == errc::conflict)
      return net::json_error(409, conflict_code, describe(err));
  }
  return net::json_error(503, "storage_unavailable", describe(err));
}

void handle_admin_api(caf::actor_system& sys, const config& cfg,
                      admin_actors actors, net::http_request req,
                      net::respond_fn respond) {
  auto gate = actors.gate;
  auto path = req.path();
  if (path.compare(0, 11, "/api/drafts") == 0)
    return drafts(sys, gate, req, std::move(respond));
  if (path.compare(0, 15, "/api/evolution/") == 0)
    return evolution(sys, actors.evolution, req, std::move(respond));
  if (path == "/api/conversations" || path == "/api/runs"
      || path.compare(0, 10, "/api/runs/") == 0
      || (path.compare(0, 19, "/api/conversations/") == 0 && req.method == "GET"))
    return inspect_api(sys, cfg, actors, std::move(req), std::move(respond));
  if (path.compare(0, 19, "/api/conversations/") == 0)
    return conversation_control(sys, cfg, actors, std::move(req), std::move(respond));
  if (path == "/api/bookings" || path.compare(0, 14, "/api/bookings/") == 0)
    return bookings_api(sys, cfg, actors, std::move(req), std::move(respond));
  if (path == "/api/events" || path.compare(0, 12, "/api/events/") == 0)
    return events_api(sys, actors, std::move(req), std::move(respond));
  if (path == "/api/decisions" || path == "/api/decisions/")
    return decisions(sys, actors.storage, req, std::move(respond));
  const std::string oauth = "/api/oauth/";
  if (path.compare(0, oauth.size(), oauth) == 0 && path.size() > oauth.size()) {
    if (req.method != "GET")
      return respond(net::json_error(405, "method_not_allowed", "use GET"));
    return oauth_status(sys, actors, url_decode(path.substr(oauth.size())), std::move(respond));
  }
  const std::string tenants = "/api/tenants/";
  const std::string connect = "/connect/google";
  if (path.compare(0, tenants.size(), tenants) == 0 && path.size() > connect.size()
      && path.compare(path.size() - connect.size(), connect.size(), connect) == 0) {
    if (req.method != "POST")
      return respond(net::json_error(405, "method_not_allowed", "use POST"));
    auto id = path.substr(tenants.size(), path.size() - tenants.size() - connect.size());
    return connect_google(sys, actors, url_decode(id), std::move(respond));
  }
  if (path.compare(0, tenants.size(), tenants) == 0 && path.size() > 6
      && path.compare(path.size() - 6, 6, "/brief") == 0) {
    auto id = path.substr(tenants.size(), path.size() - tenants.size() - 6);
    if (req.method != "POST")
      return respond(net::json_error(405, "method_not_allowed", "use POST"));
    return tenant_brief(sys, cfg, actors, url_decode(id), std::move(req), std::move(respond));
  }
  if (path == "/api/tenants" || path.compare(0, tenants.size(), tenants) == 0)
    return tenants_api(sys, cfg, actors, std::move(req), std::move(respond));
  const std::string base = "/api/approvals";
  if (path.compare(0, base.size(), base) != 0)
    return respond(net::json_error(404, "not_found", "no route for " + path));
  auto rest = path.substr(base.size()); // "", "/12", "/12/approve"
  auto timeout = gate_timeout;
  if (rest.empty() || rest == "/") {
    if (req.method != "GET")
      return respond(net::json_error(405, "method_not_allowed", "use GET"));
    auto state = query_param(req.target, "state").value_or("");
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(gate, timeout, atom::list_v, state)
        .then(
          [=](const std::vector<approval_record>& rows) {
            json list = json::array();
            for (auto& a : rows)
              list.push_back(to_json(a));
            respond(ok({{"approvals", list}}));
          },
          [=](const caf::error& err) { respond(from_error(err)); });
    });
    return;
  }
  auto [id, verb] = split_id_route(rest);
  if (id == 0)
    return respond(net::json_error(404, "not_found", "no approval " + rest.substr(1)));
  if (verb.empty()) {
    if (req.method != "GET")
      return respond(net::json_error(405, "method_not_allowed", "use GET"));
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(gate, timeout, atom::load_v, id)
        .then([=](const approval_record& a) { respond(ok(to_json(a))); },
              [=](const caf::error& err) { respond(from_error(err)); });
    });
    return;
  }
  if (verb != "approve" && verb != "deny")
    return respond(net::json_error(404, "not_found", "no route for " + path));
  if (req.method != "POST")
    return respond(net::json_error(405, "method_not_allowed", "use POST"));
  approval_reply reply;
  reply.id = id;
  reply.approve = verb == "approve";
  reply.by = "admin";
  reply.via = "http";
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(gate, timeout, atom::resolve_v, reply)
      .then([=](const approval_outcome& o) { respond(decision_response(o)); },
            [=](const caf::error& err) { respond(from_error(err)); });
  });
}

} // namespace parley
