// POST /api/tenants/{id}/brief: the brief on demand, for the operator and
// `parley brief`.

#include "actors/app/admin_api.hpp"

#include "actors/connectors/connector.hpp"
#include "actors/errors.hpp"
#include "protocol/time_zone.hpp"

#include <caf/event_based_actor.hpp>

#include <nlohmann/json.hpp>

namespace parley {

using nlohmann::json;

void tenant_brief(caf::actor_system& sys, const config& cfg, admin_actors actors,
                  const std::string& tenant, net::http_request req,
                  net::respond_fn respond) {
  auto t = cfg.tenant_by_id(tenant);
  if (!t)
    return respond(net::json_error(404, "not_found", "no tenant '" + tenant + "'"));
  bool send = true;
  if (!req.body.empty()) {
    auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || (body.contains("send") && !body["send"].is_boolean()))
      return respond(net::json_error(400, "bad_request",
                                     "the body must be {\"send\": true|false}"));
    send = body.value("send", true);
  }
  if (send && (t->owner.empty() || t->owner == "console"))
    return respond(net::json_error(409, "no_owner",
                                   "tenant '" + tenant + "' has no owner to send the brief to"));
  if (!actors.composer || !actors.storage)
    return respond(net::json_error(503, "unavailable", "the brief composer is not running"));
  auto date = tz::local_date(t->timezone, wall_ms());
  auto bound = std::chrono::milliseconds(cfg.brief.deadline_ms + 2 * cfg.llm.timeout_ms)
               + std::chrono::seconds(5);
  auto owner = t->owner, channel = t->channel;
  sys.spawn([=](caf::event_based_actor* self) {
    auto failed = [=](const caf::error& err) {
      respond(net::json_error(503, "unavailable", describe(err)));
    };
    self->request(actors.composer, bound, atom::brief_v, tenant, date)
      .then(
        [=](const composed_brief& b) {
          json answer = {{"tenant", tenant}, {"date", date}, {"how", b.how},
                         {"text", b.text}, {"error", b.error.empty() ? json() : json(b.error)},
                         {"sent", false}};
          // The day's scheduled brief, as recorded, comes with the answer.
          auto with_schedule = [=](json answer) {
            self->request(actors.storage, std::chrono::seconds(30), atom::brief_v,
                          atom::status_v, tenant, date)
              .then(
                [=](const brief_record& r) mutable {
                  answer["scheduled"] = r.state.empty()
                                          ? json()
                                          : json{{"state", r.state}, {"how", r.how},
                                                 {"error", r.error.empty() ? json() : json(r.error)}};
                  respond({200, "application/json", answer.dump()});
                },
                failed);
          };
          if (!send)
            return with_schedule(answer);
          auto row = outbox_item::to(0, tenant, owner, channel, owner, b.text);
          self->request(actors.storage, std::chrono::seconds(30), atom::send_v, row)
            .then(
              [=](const outbox_item& stored) mutable {
                if (!actors.senders.empty())
                  self->send(actors.senders[shard_of(stored.chat, actors.senders.size())],
                             atom::send_v, stored);
                answer["sent"] = true;
                answer["outbox_id"] = stored.id;
                with_schedule(answer);
              },
              failed);
        },
        failed);
  });
}

} // namespace parley
