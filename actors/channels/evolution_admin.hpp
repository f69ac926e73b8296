#pragma once

#include "actors/interfaces.hpp"
#include "net/http_client.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>

namespace parley {

struct evolution_admin_state {
  evolution_admin_state() = default;
  std::unique_ptr<net::http_client> http;
  static inline const char* name = "evolution-admin";
};

/// Spawn detached. The same steps as `parley evolution connect|status`,
/// one look each (the dashboard polls).
evolution_admin_actor::behavior_type
evolution_admin(evolution_admin_actor::stateful_pointer<evolution_admin_state> self,
                std::shared_ptr<const config> cfg);

} // namespace parley
