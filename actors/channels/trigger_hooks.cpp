#include "actors/channels/trigger_hooks.hpp"

#include "actors/errors.hpp"
#include "protocol/signature.hpp"

#include <caf/event_based_actor.hpp>

#include <nlohmann/json.hpp>

namespace parley {

namespace {

using json = nlohmann::json;

bool authentic(const hook_config& hook, const net::http_request& req) {
  if (hook.auth == "bearer")
    return constant_time_equal(req.header("authorization"), "Bearer " + hook.secret);
  return verify_meta_signature(hook.secret, req.body, req.header("x-signature-256"));
}

/// What de-duplicates the trigger: its Idempotency-Key, else the id at the
/// hook's pointer, else nothing (every delivery is new).
std::string dedup_key(const hook_config& hook, const net::http_request& req, const json& body) {
  auto key = req.header("idempotency-key");
  if (!key.empty() || hook.id_pointer.empty())
    return key;
  try {
    auto& id = body.at(json::json_pointer(hook.id_pointer));
    return id.is_string() ? id.get<std::string>() : id.is_null() ? "" : id.dump();
  } catch (const json::exception&) {
    return "";
  }
}

} // namespace

void receive_hook(caf::actor_system& sys, const config& cfg, workflow_runner_actor runner,
                  const net::http_request& req, net::respond_fn respond) {
  auto name = req.path().substr(7);  // after "/hooks/"
  auto* hook = cfg.automation.hook(name);
  if (!hook)
    return respond(net::json_error(404, "unknown_hook", "no hook named '" + name + "'"));
  if (req.method != "POST")
    return respond(net::json_error(405, "method_not_allowed", "use POST"));
  if (!authentic(*hook, req))
    return respond(net::json_error(
      401, "unauthorized",
      hook->auth == "bearer" ? "a valid 'Authorization: Bearer <secret>' is required"
                             : "a valid X-Signature-256 (sha256=<hex HMAC-SHA256 of the body>)"
                               " is required"));
  auto body = json::parse(req.body, nullptr, false);
  if (body.is_discarded())
    return respond(net::json_error(400, "malformed", "the body is not JSON"));
  auto key = dedup_key(*hook, req, body);
  if (key.size() > 200)
    return respond(net::json_error(400, "malformed", "the Idempotency-Key is over 200 characters"));
  if (!runner)
    return respond(net::json_error(503, "unavailable", "workflows are not running"));
  auto payload = body.dump(-1, ' ', false, json::error_handler_t::replace);
  sys.spawn([=, workflow = hook->workflow](caf::event_based_actor* self) {
    self->request(runner, std::chrono::seconds(10), atom::trigger_v, std::string("hook"), name,
                  workflow, key, payload)
      .then(
        [=](int64_t id, bool created) {
          net::http_response res{created ? 202u : 200u, "application/json",
                                 json{{"event", id}}.dump()};
          respond(std::move(res));
        },
        [=](const caf::error& err) {
          respond(net::json_error(503, "unavailable", "the trigger was not stored: " + describe(err)));
        });
  });
}

} // namespace parley
