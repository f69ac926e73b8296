// The Google consent flow over HTTP: started by `parley connect google`
// through the admin API, completed by Google's redirect to the callback.

#include "actors/app/admin_api.hpp"

#include "actors/errors.hpp"
#include "protocol/url.hpp"

#include <caf/event_based_actor.hpp>

#include <nlohmann/json.hpp>

namespace parley {

namespace {

using nlohmann::json;

constexpr std::chrono::seconds bound{30};

net::http_response page(unsigned status, const std::string& title, const std::string& text) {
  auto escape = [](const std::string& s) {
    std::string out;
    for (char c : s)
      out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : c == '"' ? "&quot;"
                                                                          : std::string(1, c);
    return out;
  };
  return {status, "text/html; charset=utf-8",
          "<!doctype html><html><head><meta charset=\"utf-8\"><title>parley: " + escape(title)
            + "</title></head><body><h1>" + escape(title) + "</h1><p>" + escape(text)
            + "</p></body></html>"};
}

} // namespace

void connect_google(caf::actor_system& sys, admin_actors actors, const std::string& tenant,
                    net::respond_fn respond) {
  if (!actors.oauth)
    return respond(net::json_error(503, "unavailable", "the OAuth worker is not running"));
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(actors.oauth, bound, atom::start_v, tenant)
      .then(
        [=](const oauth_start& s) {
          respond({200, "application/json", json{{"auth_url", s.url}, {"state", s.state}}.dump()});
        },
        [=](const caf::error& err) {
          if (err.category() == caf::atom("parley") && static_cast<errc>(err.code()) == errc::not_found)
            return respond(net::json_error(404, "not_found", describe(err)));
          if (err.category() == caf::atom("parley") && static_cast<errc>(err.code()) == errc::bad_input)
            return respond(net::json_error(409, "not_configured", describe(err)));
          respond(net::json_error(503, "unavailable", describe(err)));
        });
  });
}

void oauth_status(caf::actor_system& sys, admin_actors actors, const std::string& state,
                  net::respond_fn respond) {
  if (!actors.oauth)
    return respond(net::json_error(503, "unavailable", "the OAuth worker is not running"));
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(actors.oauth, bound, atom::status_v, state)
      .then(
        [=](const std::string& status, const std::string& error) {
          if (status == "unknown")
            return respond(net::json_error(404, "not_found", "no consent flow with this state"));
          respond({200, "application/json",
                   json{{"status", status}, {"error", error.empty() ? json() : json(error)}}.dump()});
        },
        [=](const caf::error& err) { respond(net::json_error(503, "unavailable", describe(err))); });
  });
}

void google_callback(caf::actor_system& sys, admin_actors actors, net::http_request req,
                     net::respond_fn respond) {
  auto state = query_param(req.target, "state").value_or("");
  auto code = query_param(req.target, "code").value_or("");
  auto denied = query_param(req.target, "error").value_or("");
  if (state.empty())
    return respond(page(400, "Not connected", "The link has no state; start again with "
                                              "parley connect google."));
  if (!actors.oauth)
    return respond(page(503, "Not connected", "parley's OAuth worker is not running."));
  // Google's own refusal (access_denied) still consumes the state.
  if (!denied.empty())
    code.clear();
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(actors.oauth, bound, atom::connect_v, state, code)
      .then(
        [=](const std::string& tenant) {
          respond(page(200, "Google is connected",
                       "parley can now read the calendar and mail of tenant " + tenant
                         + ". You can close this window."));
        },
        [=](const caf::error& err) { respond(page(400, "Not connected", describe(err))); });
  });
}

} // namespace parley
