#pragma once

#include "actors/interfaces.hpp"
#include "actors/connectors/sources.hpp"
#include "actors/storage_worker.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <map>
#include <memory>
#include <vector>

namespace parley {

struct policy_gate_state {
  policy_gate_state() = default;
  google_access google;  ///< the calendar writer's way to the Google tokens
  std::unique_ptr<store_handle> db;
  std::map<std::string, shell_actor> shells;  ///< tenants with a shell block
  std::vector<sender_actor> senders;          ///< for reports of HTTP decisions
  static inline const char* name = "policy-gate";
};

/// Spawn detached (it blocks on the database; commands run in the shell
/// connectors, asynchronously). Every request and decision is audited; an
/// approval changes state exactly once, so an approved action runs once even
/// when approvals arrive twice or concurrently from the chat and HTTP.
/// `at_start`: approved actions a crash interrupted are marked failed (they
/// never run again).
policy_gate_actor::behavior_type
policy_gate(policy_gate_actor::stateful_pointer<policy_gate_state> self,
            std::shared_ptr<const config> cfg, google_access google,
            std::map<std::string, shell_actor> shells,
            std::vector<sender_actor> senders, bool at_start);

} // namespace parley
