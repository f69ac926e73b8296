#pragma once

// Meta's rules for sending on WhatsApp Business numbers, as pure decisions:
// the 24-hour customer-service window, what an error code asks of the
// sender, and the per-number send rate.

#include <cstdint>
#include <map>
#include <string>

namespace parley::meta {

/// Free-form messages only within 24 hours of the person's last message.
constexpr int64_t window_ms = 24 * 3600 * 1000LL;

/// Whether a free-form message may go to someone whose last message arrived
/// at `last_inbound_ms` (0: never).
bool window_open(int64_t last_inbound_ms, int64_t now_ms);

/// What one of Meta's error codes asks of the sender.
enum class send_rule {
  none,            ///< the general rules (retry 429/5xx, fail the rest)
  window_closed,   ///< 131047: outside the 24-hour window
  number_throttled,///< 130429: the business number's rate: back that number off
  pair_paced,      ///< 131056: too many to one recipient: pace that recipient
};
send_rule rule_of(int64_t error_code);

/// About one message per 6 s to one recipient is what Meta tolerates.
constexpr int64_t pair_pace_ms = 6000;

/// A business number's send rate: at most `per_second` messages a second,
/// with bursts of up to one second's worth (a generic cell rate: each send
/// moves the number's theoretical time on by 1/per_second). Time is
/// monotonic microseconds, passed in.
class number_rate {
public:
  /// Microseconds to wait before `number` may send; 0 means go, and the
  /// send is counted.
  int64_t reserve(const std::string& number, int per_second, int64_t now_us);
  /// Nothing more from `number` until `until_us` (after 130429).
  void hold(const std::string& number, int64_t until_us);

private:
  struct state {
    int64_t theoretical_us = 0;
    int64_t held_until_us = 0;
  };
  std::map<std::string, state> numbers_;
};

} // namespace parley::meta
