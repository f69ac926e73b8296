#pragma once

#include "actors/interfaces.hpp"
#include "net/http_types.hpp"
#include "protocol/config.hpp"

#include <caf/actor_system.hpp>

namespace parley {

/// POST /hooks/{name}: a form, a payment provider or a meeting tool starts
/// the hook's workflow. The request must carry the hook's secret
/// (`X-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, or
/// `Authorization: Bearer <secret>`) and a JSON body; it is stored as an
/// event before the answer: 202 {"event": id}, or 200 with the first
/// event's id when its `Idempotency-Key` (or the id at the hook's
/// `id_pointer`) was seen before. 401, 404 for an unknown hook, 400 for a
/// body that is not JSON, 503 when it cannot be stored (the body limit's
/// 413 comes from the server).
void receive_hook(caf::actor_system& sys, const config& cfg, workflow_runner_actor runner,
                  const net::http_request& req, net::respond_fn respond);

} // namespace parley
