#pragma once

// A Prometheus histogram of durations with fixed buckets, observed from any
// thread (atomics only, no lock), and rendered in Prometheus' text format.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace parley {

class latency_histogram {
public:
  /// Upper bounds in seconds: from a millisecond (a command) to half a
  /// minute (a slow model).
  static constexpr std::array<double, 14> bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                 0.1,   0.25,   0.5,   1,    2.5,   5,
                                                 10,    30};

  void observe_us(int64_t micros);

  /// The `_bucket`, `_sum` and `_count` lines of `name`; `labels` is "" or
  /// e.g. `path="llm"`.
  std::string text(const std::string& name, const std::string& labels) const;

  uint64_t count() const { return count_.load(); }

private:
  std::array<std::atomic<uint64_t>, bounds.size() + 1> buckets_{};  ///< last: +Inf
  std::atomic<uint64_t> sum_us_{0};
  std::atomic<uint64_t> count_{0};
};

} // namespace parley
