// GET/POST /api/tenants and GET/PATCH/DELETE /api/tenants/{id}: tenants
// changed live. The file's are shown but read-only (409 managed_by_file);
// secrets appear only as the names of their environment variables.

#include "actors/app/admin_api.hpp"

#include "actors/errors.hpp"
#include "protocol/tenant_json.hpp"
#include "protocol/url.hpp"

#include <caf/event_based_actor.hpp>

#include <nlohmann/json.hpp>

namespace parley {

using nlohmann::json;

namespace {

json shown(const json& tenant, bool from_file) {
  return {{"id", tenant.value("id", "")},
          {"managed_by", from_file ? "file" : "api"},
          {"config", tenant}};
}

net::http_response answer_of(const tenant_change& c, unsigned ok_status) {
  if (c.refused.empty()) {
    auto tenant = c.tenant.empty() ? json::object() : json::parse(c.tenant);
    return {ok_status, "application/json", shown(tenant, false).dump()};
  }
  unsigned status = c.refused == "invalid"       ? 400
                    : c.refused == "not_found"   ? 404
                    : c.refused == "unavailable" ? 503
                                                 : 409;  // exists, managed_by_file
  json body = {{"error", c.refused}, {"detail", c.detail}};
  if (!c.problems.empty())
    body["problems"] = c.problems;
  return {status, "application/json", body.dump()};
}

void ask_registry(caf::actor_system& sys, tenant_registry_actor registry, unsigned ok_status,
                  net::respond_fn respond, std::function<void(caf::event_based_actor*,
                                                               std::function<void(tenant_change)>,
                                                               std::function<void(caf::error)>)>
                                             ask) {
  if (!registry)
    return respond(net::json_error(503, "unavailable", "the tenant registry is not running"));
  sys.spawn([=](caf::event_based_actor* self) {
    ask(
      self, [=](const tenant_change& c) { respond(answer_of(c, ok_status)); },
      [=](const caf::error& err) { respond(net::json_error(503, "unavailable", describe(err))); });
  });
}

} // namespace

void tenants_api(caf::actor_system& sys, const config& cfg, admin_actors actors,
                 net::http_request req, net::respond_fn respond) {
  const std::string base = "/api/tenants";
  auto path = req.path();
  auto id = path.size() > base.size() + 1 ? url_decode(path.substr(base.size() + 1)) : "";
  if (!id.empty() && id.find('/') != std::string::npos)
    return respond(net::json_error(404, "not_found", "no route for " + path));
  auto registry = actors.tenants;
  constexpr auto bound = std::chrono::seconds(30);
  if (req.method == "GET") {
    if (id.empty()) {
      json list = json::array();
      for (auto& t : cfg.tenants->all())
        list.push_back(shown(tenant_json(*t), cfg.tenants->from_file(t->id)));
      return respond({200, "application/json", json{{"tenants", list}}.dump()});
    }
    auto t = cfg.tenant_by_id(id);
    if (!t)
      return respond(net::json_error(404, "not_found", "there is no tenant '" + id + "'"));
    return respond(
      {200, "application/json", shown(tenant_json(*t), cfg.tenants->from_file(id)).dump()});
  }
  if (id.empty()) {
    if (req.method != "POST")
      return respond(net::json_error(405, "method_not_allowed", "use GET or POST"));
    auto body = req.body;
    return ask_registry(sys, registry, 201, std::move(respond),
                        [=](auto* self, auto done, auto failed) {
                          self->request(registry, bound, atom::put_v, std::string(), body)
                            .then(done, failed);
                        });
  }
  if (req.method == "PATCH") {
    auto body = req.body;
    return ask_registry(sys, registry, 200, std::move(respond),
                        [=](auto* self, auto done, auto failed) {
                          self->request(registry, bound, atom::put_v, id, body)
                            .then(done, failed);
                        });
  }
  if (req.method == "DELETE")
    return ask_registry(sys, registry, 200, std::move(respond),
                        [=](auto* self, auto done, auto failed) {
                          self->request(registry, bound, atom::remove_v, id).then(done, failed);
                        });
  respond(net::json_error(405, "method_not_allowed", "use GET, PATCH or DELETE"));
}

} // namespace parley
