#pragma once

// An approved HTTP call of a workflow's http step: the request exactly as
// the owner approved it, with its Idempotency-Key so that the receiver can
// tell a repeat from a second call. Called by the policy gate, which is
// detached, once per approval; blocking.

#include "actors/connectors/sources.hpp"

#include <string>
#include <vector>

namespace parley {

/// Makes the call `argv` describes (method, url, body, key, as judge_action
/// made it); done on a 2xx answer; the detail is the status and the first
/// 4 KB of the answer's body.
write_outcome call_http(const std::vector<std::string>& argv);

} // namespace parley
