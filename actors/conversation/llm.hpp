#pragma once

#include "actors/interfaces.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>

namespace parley::net {
class http_client;
}

namespace parley {

struct llm_state {
  llm_state() = default;
  std::shared_ptr<net::http_client> http;
  static inline const char* name = "llm";
};

/// Spawn detached: calls the chat-completions endpoint with a timeout and
/// one retry on 429/5xx.
llm_actor::behavior_type llm(llm_actor::stateful_pointer<llm_state> self,
                             llm_config cfg);

} // namespace parley
