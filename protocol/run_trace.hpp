#pragma once

// A turn's trace for its run: every round with the model and every tool
// call in it, as the operator reads it later (runs.steps). Numbers that
// could be phone numbers are masked in the arguments: a trace is for
// finding where time went and what was called, not whom it was about.

#include <cstdint>
#include <string>
#include <vector>

namespace parley {

struct traced_call {
  std::string name;
  std::string arguments;    ///< as the model wrote them
  size_t result_chars = 0;
  int64_t latency_us = 0;
  bool error = false;       ///< the result was an error given back to the model
};

struct traced_round {
  int64_t model_latency_us = 0;  ///< the model's answer to this round
  int64_t prompt_tokens = 0;     ///< as the server counted them; 0: not told
  int64_t completion_tokens = 0;
  std::vector<traced_call> calls;
};

/// Runs of 6 or more digits (phone numbers, ids that identify people)
/// become their last two digits after "…".
std::string mask_numbers(const std::string& text);

/// The trace as JSON text: [{"round": 1, "model_latency_us", "prompt_tokens",
/// "completion_tokens", "calls": [{"name", "arguments", "result_chars",
/// "latency_us", "error"}]}].
std::string trace_json(const std::vector<traced_round>& rounds);

} // namespace parley
