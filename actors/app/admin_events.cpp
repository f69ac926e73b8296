// GET /api/events[?kind=&status=&before=&limit=], GET /api/events/{id} and
// POST /api/events/{id}/retry: the durable trigger and schedule events, with
// their workflow's steps, newest first.

#include "actors/app/admin_api.hpp"

#include "actors/errors.hpp"
#include "protocol/url.hpp"

#include <caf/event_based_actor.hpp>

#include <algorithm>

namespace parley {

namespace {

constexpr auto runner_bound = std::chrono::seconds(30);

int64_t number_or_zero(const std::string& text) {
  try {
    return text.empty() || text.find_first_not_of("0123456789") != std::string::npos
             ? 0 : std::stoll(text);
  } catch (const std::exception&) {
    return 0;
  }
}

} // namespace

void events_api(caf::actor_system& sys, admin_actors actors, net::http_request req,
                net::respond_fn respond) {
  auto runner = actors.workflows;
  if (!runner)
    return respond(net::json_error(503, "unavailable", "workflows are not running"));
  auto rest = req.path().substr(11);  // after "/api/events": "", "/12", "/12/retry"
  auto ok = [respond](const std::string& body) { respond({200, "application/json", body}); };
  auto failed = [respond](const caf::error& err) { respond(error_response(err, "not_failed")); };
  if (rest.empty() || rest == "/") {
    if (req.method != "GET")
      return respond(net::json_error(405, "method_not_allowed", "use GET"));
    auto kind = query_param(req.target, "kind").value_or("");
    auto status = query_param(req.target, "status").value_or("");
    auto before = number_or_zero(query_param(req.target, "before").value_or(""));
    int32_t limit = std::clamp<int64_t>(number_or_zero(query_param(req.target, "limit").value_or("50")),
                                        1, 200);
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(runner, runner_bound, atom::list_v, kind, status, before, limit)
        .then(ok, failed);
    });
    return;
  }
  auto slash = rest.find('/', 1);
  auto id = number_or_zero(rest.substr(1, slash == std::string::npos ? std::string::npos : slash - 1));
  auto verb = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
  if (id == 0 || (verb != "" && verb != "retry"))
    return respond(net::json_error(404, "not_found", "no route for " + req.path()));
  if (req.method != (verb.empty() ? "GET" : "POST"))
    return respond(net::json_error(405, "method_not_allowed", verb.empty() ? "use GET" : "use POST"));
  sys.spawn([=](caf::event_based_actor* self) {
    if (verb.empty())
      self->request(runner, runner_bound, atom::inspect_v, id).then(ok, failed);
    else
      self->request(runner, runner_bound, atom::retry_v, id).then(ok, failed);
  });
}

} // namespace parley
