#pragma once

// A business's booking rules as pure functions: whether a start time can be
// booked for a service (opening hours, closed days, notice, horizon, slot
// alignment, the service's length, capacity against the bookings already
// made), and the free slots of a period. Local times are the tenant's zone,
// correct across daylight-saving changes.

#include "protocol/business.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace parley {

/// A booking that holds its place (confirmed or pending).
struct booked_span {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};

/// "" when the slot can be booked, else a refusal code: outside_hours,
/// closed, too_soon, beyond_horizon, not_aligned, too_long,
/// slot_unavailable.
std::string check_slot(const business_config& b, const std::string& zone, int64_t now_ms,
                       const service_offer& s, int64_t start_ms,
                       const std::vector<booked_span>& taken);

/// The most bookings that overlap one moment of [start, end).
int peak_overlap(int64_t start_ms, int64_t end_ms, const std::vector<booked_span>& taken);

/// Free starts for `s` from `from_date` to `to_date` (local, inclusive),
/// earliest first, at most `limit`.
std::vector<int64_t> free_slots(const business_config& b, const std::string& zone,
                                int64_t now_ms, const service_offer& s,
                                const std::string& from_date, const std::string& to_date,
                                const std::vector<booked_span>& taken, size_t limit = 12);

/// A refusal in one sentence, in `lang` (nl, en).
std::string refusal_sentence(const std::string& code, const std::string& lang);

} // namespace parley
