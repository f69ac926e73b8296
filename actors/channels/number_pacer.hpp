#pragma once

// Meta's per-number send rate, shared by every sender of the pool: one
// number's chats are spread over all of them.

#include "protocol/meta_rules.hpp"

#include <chrono>
#include <mutex>
#include <string>

namespace parley {

class number_pacer {
public:
  /// How long `number` must wait before its next send; zero means go (and
  /// the send is counted).
  std::chrono::microseconds reserve(const std::string& number, int per_second) {
    std::lock_guard<std::mutex> guard(mutex_);
    return std::chrono::microseconds(rate_.reserve(number, per_second, now_us()));
  }

  /// Nothing more from `number` for `pause` (Meta answered 130429).
  void hold(const std::string& number, std::chrono::milliseconds pause) {
    std::lock_guard<std::mutex> guard(mutex_);
    rate_.hold(number, now_us() + pause.count() * 1000);
  }

private:
  static int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
  }

  std::mutex mutex_;
  meta::number_rate rate_;
};

} // namespace parley
