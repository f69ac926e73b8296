#pragma once

#include <chrono>
#include <cstdint>

namespace parley {

/// Exponential back-off with full jitter: a delay drawn uniformly from
/// [base/2, min(cap, base * 2^attempt)], where `unit_random` is in [0, 1).
/// The lower bound keeps retries from hammering a server that said 429.
inline std::chrono::milliseconds backoff_delay(int attempt, int base_ms,
                                               int cap_ms, double unit_random) {
  double ceiling = base_ms;
  for (int i = 0; i < attempt && ceiling < cap_ms; ++i)
    ceiling *= 2;
  if (ceiling > cap_ms)
    ceiling = cap_ms;
  double floor = base_ms / 2.0;
  if (floor > ceiling)
    floor = ceiling;
  return std::chrono::milliseconds(
    static_cast<int64_t>(floor + (ceiling - floor) * unit_random));
}

} // namespace parley
