#pragma once

// When a tenant's morning brief is due: at `brief_at` local time, once per
// local date, and still on the same morning (until `catch_up_until`) when
// parley was down at `brief_at`.

#include <cstdint>
#include <string>

namespace parley::brief {

struct due_check {
  bool due = false;     ///< send the brief for `date` now
  std::string date;     ///< the local date it is for
  int64_t next_ms = 0;  ///< when to look again
};

/// `last_date` is the local date of the last recorded brief ("" if none).
due_check check_due(int64_t now_ms, const std::string& zone,
                    const std::string& brief_at, const std::string& catch_up_until,
                    const std::string& last_date);

} // namespace parley::brief
