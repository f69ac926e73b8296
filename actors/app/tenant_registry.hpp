#pragma once

// Tenants made over the admin API: stored as the JSON they were given,
// validated exactly like the file's, and put in the live tenant directory
// that every actor reads, so that they count from the next message.

#include "actors/interfaces.hpp"
#include "actors/storage_worker.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <string>

namespace parley {

struct tenant_registry_state {
  tenant_registry_state() = default;
  std::unique_ptr<store_handle> db;
  static inline const char* name = "tenant-registry";
};

/// Spawn detached: every change is written to the database before it is put
/// in force, so a change that was answered survives a crash.
tenant_registry_actor::behavior_type
tenant_registry(tenant_registry_actor::stateful_pointer<tenant_registry_state> self,
                std::shared_ptr<const config> cfg, std::string conninfo, env_lookup env);

/// At start, before any message: puts the stored tenants in force. One that
/// no longer reads (an id now in the file, a number now taken) is skipped
/// with a log line naming its problems; it stays stored, to be fixed with
/// PATCH. Throws storage::pg_error when the database cannot be read.
void load_api_tenants(const config& cfg, const std::string& conninfo, const env_lookup& env);

} // namespace parley
