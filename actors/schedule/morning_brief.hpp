#pragma once

#include "actors/interfaces.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <vector>

namespace parley {

struct morning_brief_deps {
  storage_actor storage;
  brief_actor composer;
  std::vector<sender_actor> senders;
};

/// Sends one tenant's brief for one local date: claims the day in storage
/// (a day already queued is not claimed again; one left composing by a
/// stopped process is), has the composer gather and write it, and queues it
/// with its outbox row in one transaction before handing the row to the
/// chat's sender. An error leaves the day claimed as composing, so asking
/// again composes it again and still sends it once.
morning_brief_actor::behavior_type morning_brief(morning_brief_actor::pointer self,
                                                 std::shared_ptr<const config> cfg,
                                                 morning_brief_deps deps);

} // namespace parley
