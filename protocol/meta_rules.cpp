#include "protocol/meta_rules.hpp"

#include <algorithm>

namespace parley::meta {

bool window_open(int64_t last_inbound_ms, int64_t now_ms) {
  return last_inbound_ms > 0 && now_ms - last_inbound_ms < window_ms;
}

send_rule rule_of(int64_t error_code) {
  switch (error_code) {
    case 131047: return send_rule::window_closed;
    case 130429: return send_rule::number_throttled;
    case 131056: return send_rule::pair_paced;
    default: return send_rule::none;
  }
}

int64_t number_rate::reserve(const std::string& number, int per_second, int64_t now_us) {
  auto& s = numbers_[number];
  if (s.held_until_us > now_us)
    return s.held_until_us - now_us;
  int64_t interval = 1000000 / std::max(1, per_second);
  int64_t burst = 1000000 - interval;  // one second's worth may go at once
  auto tat = std::max(s.theoretical_us, now_us);
  if (tat - now_us > burst)
    return tat - now_us - burst;
  s.theoretical_us = tat + interval;
  return 0;
}

void number_rate::hold(const std::string& number, int64_t until_us) {
  auto& s = numbers_[number];
  s.held_until_us = std::max(s.held_until_us, until_us);
}

} // namespace parley::meta
