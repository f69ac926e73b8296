#pragma once

// The ADMIN API under /api/ (bearer admin token): the approval queue. Each
// call is a short-lived actor that asks the policy gate and answers the HTTP
// connection; the HTTP threads never wait.

#include "actors/interfaces.hpp"
#include "net/http_types.hpp"
#include "protocol/config.hpp"

#include <caf/actor_system.hpp>

#include <memory>
#include <vector>

namespace parley {

/// The actors the admin API asks.
struct admin_actors {
  policy_gate_actor gate;  ///< approvals and drafts
  storage_actor storage;   ///< decisions
  evolution_admin_actor evolution;  ///< null without an Evolution API
  brief_actor composer;             ///< POST /api/tenants/{id}/brief
  std::vector<sender_actor> senders;
  oauth_actor oauth;                ///< the Google consent flow
  booking_desk_actor bookings;      ///< /api/bookings
  tenant_registry_actor tenants;    ///< POST/PATCH/DELETE /api/tenants
  workflow_runner_actor workflows;  ///< /api/events, POST /hooks/{name}
};

/// Answers a request whose path starts with /api/, once the caller has
/// checked its credentials (dashboard::refuse_api).
void handle_admin_api(caf::actor_system& sys, const config& cfg,
                      admin_actors actors, net::http_request req,
                      net::respond_fn respond);

/// POST /api/tenants/{id}/brief (admin_brief.cpp): composes today's brief
/// now and sends it to the owner unless the body says {"send": false};
/// answers with the text and the day's scheduled brief as recorded.
void tenant_brief(caf::actor_system& sys, const config& cfg, admin_actors actors,
                  const std::string& tenant, net::http_request req,
                  net::respond_fn respond);

/// GET/POST /api/bookings and DELETE /api/bookings/{id} (admin_bookings.cpp).
void bookings_api(caf::actor_system& sys, const config& cfg, admin_actors actors,
                  net::http_request req, net::respond_fn respond);

/// GET/POST /api/tenants, GET/PATCH/DELETE /api/tenants/{id} (admin_tenants.cpp).
void tenants_api(caf::actor_system& sys, const config& cfg, admin_actors actors,
                 net::http_request req, net::respond_fn respond);

/// GET /api/conversations[/{tenant}/{chat}] and GET /api/runs[/{id}]
/// (admin_inspect.cpp): the operator's window, newest first, paginated.
void inspect_api(caf::actor_system& sys, const config& cfg, admin_actors actors,
                 net::http_request req, net::respond_fn respond);

/// An error from a store or a runner as the admin API's answer: 404
/// not_found, 409 `conflict_code` (the record is not in the state the call
/// needs), otherwise 503 storage_unavailable.
net::http_response error_response(const caf::error& err, const char* conflict_code);

/// GET /api/events, GET /api/events/{id}, POST /api/events/{id}/retry
/// (admin_events.cpp): trigger and schedule events and their steps.
void events_api(caf::actor_system& sys, admin_actors actors, net::http_request req,
                net::respond_fn respond);

/// POST /api/conversations/{tenant}/{chat}/pause|resume (admin_conversations.cpp).
void conversation_control(caf::actor_system& sys, const config& cfg, admin_actors actors,
                          net::http_request req, net::respond_fn respond);

/// POST /api/tenants/{id}/connect/google and GET /api/oauth/{state}
/// (admin_oauth.cpp): start a consent flow, and follow it.
void connect_google(caf::actor_system& sys, admin_actors actors, const std::string& tenant,
                    net::respond_fn respond);
void oauth_status(caf::actor_system& sys, admin_actors actors, const std::string& state,
                  net::respond_fn respond);

/// GET /oauth/google/callback (admin_oauth.cpp): no bearer token — the
/// state nonce and the PKCE verifier stand for it. A page for the browser.
void google_callback(caf::actor_system& sys, admin_actors actors, net::http_request req,
                     net::respond_fn respond);

} // namespace parley
