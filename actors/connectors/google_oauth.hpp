#pragma once

#include "actors/interfaces.hpp"
#include "actors/storage_worker.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>

namespace parley {

struct google_oauth_state {
  google_oauth_state() = default;
  std::unique_ptr<store_handle> db;
  static inline const char* name = "google-oauth";
};

/// Spawn detached. The redirect comes back to parley's own
/// GET /oauth/google/callback at config.base_url().
oauth_actor::behavior_type
google_oauth(oauth_actor::stateful_pointer<google_oauth_state> self,
             std::shared_ptr<const config> cfg, std::string conninfo, std::string key);

} // namespace parley
