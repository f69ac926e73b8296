#pragma once

#include "actors/conversation/session_deps.hpp"
#include "protocol/config.hpp"
#include "protocol/run_trace.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <memory>

namespace parley {

/// Who asks and where: what the gate needs for an action, and the tenant.
struct agent_context {
  std::shared_ptr<const session_deps> deps;
  std::shared_ptr<const tenant_config> tenant;
  action_request action;  ///< tenant, chat, channel, requested_by, event (no line yet)
  std::string sender_name;  ///< the sender's profile name (a business's customer)
};

struct agent_turn_state {
  agent_turn_state() = default;
  llm_request req;
  caf::typed_response_promise<turn_outcome> rp;
  int64_t started_us = 0;
  bool acted = false;        ///< a side effect ran (one action per message)
  std::string action_report; ///< what it reported
  bool done = false;
  int32_t rounds = 0;
  int32_t tool_calls = 0;
  int64_t asked_us = 0;               ///< when the model was last asked
  std::vector<traced_round> trace;    ///< every round and call, for the run
  static inline const char* name = "agent-turn";
};

/// One message's turn with the model: up to max_tool_rounds rounds of tool
/// calls (reads from the connectors and tasks run at once, concurrently;
/// run_shell passes the gate, one action per message; bad arguments and tool
/// errors go back to the model as results), then the model's text. A round
/// limit or the time budget (llm timeout × rounds) ends the loop with a last
/// call without tools: the best answer so far.
agent_turn_actor::behavior_type
agent_turn(agent_turn_actor::stateful_pointer<agent_turn_state> self, agent_context ctx);

} // namespace parley
