#pragma once

// What a business's customer says that parley handles before anything else,
// in the booking desk's thread: STOP and START (recorded and confirmed), a
// chat handed over to a person (silent until resumed or the timeout), and
// asking for a person (the chat paused, staff and the owner told).

#include "protocol/config.hpp"
#include "protocol/types.hpp"
#include "storage/store.hpp"

#include <string>
#include <vector>

namespace parley {

/// path "" lets the message go on to the model; "command" (STOP, START)
/// and "handover" answer it with `reply`; "silent" records it unanswered.
struct door_verdict {
  std::string path;
  std::string reply;
  std::string reason;
};

door_verdict front_door(storage::store& db, const tenant_config& t, const inbound_message& m,
                        std::vector<outbox_item>& notices);

/// Pauses the chat for `handover_timeout_h` and, the first time, writes a
/// notice for each of staff and the owner (their outbox rows in `notices`).
/// Returns what the customer hears.
std::string hand_over(storage::store& db, const tenant_config& t, const std::string& chat,
                      const std::string& customer, const std::string& name,
                      const std::string& reason, std::vector<outbox_item>& notices);

} // namespace parley
