#pragma once

// Creating an approved event in the tenant's calendar (CalDAV PUT or Google
// events.insert). Called by
// the policy gate, which is detached, after the owner approved; blocking.

#include "actors/connectors/sources.hpp"
#include "protocol/config.hpp"

#include <string>
#include <vector>

namespace parley {

/// Creates the event `argv` describes (date, start, minutes, title, as
/// judge_action made it) under an id derived from `approval_id`: CalDAV PUT
/// with If-None-Match: *, Google events.insert with that id, so that a
/// repeat after a crash finds it instead of creating a second one.
/// `google` reaches the sealed Google tokens.
write_outcome create_calendar_event(const config& cfg, const tenant_config& t,
                                    const google_access& google,
                                    const std::vector<std::string>& argv,
                                    int64_t approval_id);

} // namespace parley
