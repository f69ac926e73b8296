// POST /api/conversations/{tenant}/{chat}/pause and .../resume: the operator
// hands a business chat to a person, or gives it back to the bot.

#include "actors/app/admin_api.hpp"

#include "actors/errors.hpp"
#include "protocol/url.hpp"

#include <caf/event_based_actor.hpp>

#include <nlohmann/json.hpp>

namespace parley {

using nlohmann::json;

void conversation_control(caf::actor_system& sys, const config& cfg, admin_actors actors,
                          net::http_request req, net::respond_fn respond) {
  // /api/conversations/{tenant}/{chat}/{verb}
  auto path = req.path().substr(std::string("/api/conversations/").size());
  auto first = path.find('/');
  auto last = path.rfind('/');
  if (first == std::string::npos || last == first)
    return respond(net::json_error(404, "not_found", "no route for " + req.path()));
  auto tenant = url_decode(path.substr(0, first));
  auto chat = url_decode(path.substr(first + 1, last - first - 1));
  auto verb = path.substr(last + 1);
  if (verb != "pause" && verb != "resume")
    return respond(net::json_error(404, "not_found", "no route for " + req.path()));
  if (req.method != "POST")
    return respond(net::json_error(405, "method_not_allowed", "use POST"));
  auto t = cfg.tenant_by_id(tenant);
  if (!t || !t->business.enabled)
    return respond(net::json_error(404, "not_found", "no business tenant '" + tenant + "'"));
  if (!actors.bookings)
    return respond(net::json_error(503, "unavailable", "the booking desk is not running"));
  auto desk = actors.bookings;
  sys.spawn([=](caf::event_based_actor* self) {
    auto failed = [=](const caf::error& err) {
      respond(net::json_error(503, "unavailable", describe(err)));
    };
    if (verb == "resume") {
      self->request(desk, std::chrono::seconds(30), atom::resume_v, tenant, chat)
        .then(
          [=](bool was_paused) {
            respond({200, "application/json",
                     json{{"tenant", tenant}, {"chat", chat}, {"paused", false},
                          {"was_paused", was_paused}}.dump()});
          },
          failed);
      return;
    }
    self->request(desk, std::chrono::seconds(30), atom::pause_v, tenant, chat, chat,
                  std::string(), std::string("paused by the operator"))
      .then(
        [=](const std::string&) {
          respond({200, "application/json",
                   json{{"tenant", tenant}, {"chat", chat}, {"paused", true}}.dump()});
        },
        failed);
  });
}

} // namespace parley
