// GET /api/conversations[?tenant=], GET /api/conversations/{tenant}/{chat},
// GET /api/runs[?tenant=&chat=] and GET /api/runs/{id}: what parley did and
// why, newest first, a page at a time (`limit`, at most 200; `before` is the
// `next` of the page before).

#include "actors/app/admin_api.hpp"

#include "actors/errors.hpp"
#include "protocol/url.hpp"

#include <caf/event_based_actor.hpp>

#include <algorithm>

namespace parley {

namespace {

constexpr auto storage_bound = std::chrono::seconds(30);

int page_size(const net::http_request& req) {
  auto text = query_param(req.target, "limit").value_or("50");
  try {
    return std::clamp(std::stoi(text), 1, 200);
  } catch (const std::exception&) {
    return 50;
  }
}

void ask(caf::actor_system& sys, storage_actor storage, std::string what, std::string tenant,
         std::string chat, std::string before, int limit, net::respond_fn respond) {
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(storage, storage_bound, atom::inspect_v, what, tenant, chat, before,
                  int32_t{limit})
      .then(
        [=](const std::string& body) {
          if (body.empty())
            return respond(net::json_error(404, "not_found", "no run " + before));
          respond({200, "application/json", body});
        },
        [=](const caf::error& err) {
          respond(net::json_error(503, "storage_unavailable", describe(err)));
        });
  });
}

} // namespace

void inspect_api(caf::actor_system& sys, const config& cfg, admin_actors actors,
                 net::http_request req, net::respond_fn respond) {
  if (req.method != "GET")
    return respond(net::json_error(405, "method_not_allowed", "use GET"));
  auto path = req.path();
  auto tenant = query_param(req.target, "tenant").value_or("");
  auto chat = query_param(req.target, "chat").value_or("");
  auto before = query_param(req.target, "before").value_or("");
  auto limit = page_size(req);
  auto unknown = [&](const std::string& id) {
    return !id.empty() && !cfg.tenant_by_id(id);
  };
  if (path == "/api/conversations" || path == "/api/runs") {
    if (unknown(tenant))
      return respond(net::json_error(404, "not_found", "no tenant '" + tenant + "'"));
    return ask(sys, actors.storage, path == "/api/runs" ? "runs" : "conversations", tenant,
               chat, before, limit, std::move(respond));
  }
  const std::string runs = "/api/runs/";
  if (path.compare(0, runs.size(), runs) == 0) {
    auto id = path.substr(runs.size());
    if (id.empty() || !std::all_of(id.begin(), id.end(), ::isdigit) || id.size() > 18)
      return respond(net::json_error(404, "not_found", "no run '" + id + "'"));
    return ask(sys, actors.storage, "run", "", "", id, 1, std::move(respond));
  }
  // /api/conversations/{tenant}/{chat}
  auto rest = path.substr(std::string("/api/conversations/").size());
  auto slash = rest.find('/');
  if (slash == std::string::npos || slash + 1 == rest.size()
      || rest.find('/', slash + 1) != std::string::npos)
    return respond(net::json_error(404, "not_found", "no route for " + path));
  tenant = url_decode(rest.substr(0, slash));
  chat = url_decode(rest.substr(slash + 1));
  if (unknown(tenant))
    return respond(net::json_error(404, "not_found", "no tenant '" + tenant + "'"));
  ask(sys, actors.storage, "messages", tenant, chat, before, limit, std::move(respond));
}

} // namespace parley
