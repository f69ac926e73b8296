#include "protocol/run_trace.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

namespace parley {

std::string mask_numbers(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])))
      ++j;
    if (j == i) {
      out += text[i++];
      continue;
    }
    if (j - i >= 6)
      out += "…" + text.substr(j - 2, 2);
    else
      out += text.substr(i, j - i);
    i = j;
  }
  return out;
}

std::string trace_json(const std::vector<traced_round>& rounds) {
  auto out = nlohmann::json::array();
  for (size_t r = 0; r < rounds.size(); ++r) {
    auto calls = nlohmann::json::array();
    for (auto& c : rounds[r].calls)
      calls.push_back({{"name", c.name},
                       {"arguments", mask_numbers(c.arguments)},
                       {"result_chars", c.result_chars},
                       {"latency_us", c.latency_us},
                       {"error", c.error}});
    out.push_back({{"round", r + 1},
                   {"model_latency_us", rounds[r].model_latency_us},
                   {"prompt_tokens", rounds[r].prompt_tokens},
                   {"completion_tokens", rounds[r].completion_tokens},
                   {"calls", calls}});
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace parley
