#pragma once

#include "actors/interfaces.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>

#include <memory>
#include <vector>

namespace parley {

/// Scores group messages: the rules in protocol/relevance first; otherwise
/// one scorer call through the LLM workers, whose answer must be the JSON
/// the rules describe. Without an LLM, or when it fails, the score is 0 and
/// the reason says why, so the bot stays silent.
scorer_actor::behavior_type
relevance_scorer(scorer_actor::pointer self, std::shared_ptr<const config> cfg,
                 std::vector<llm_actor> llm, std::chrono::milliseconds bound);

} // namespace parley
