#pragma once

// How a booking shows in a business's own calendar (Google or CalDAV), and
// how parley knows its own entries there: ids derived from the booking, so
// that a write repeated after a crash finds the entry instead of adding one.

#include "protocol/booking.hpp"

#include <string>

namespace parley {

struct calendar_entry {
  std::string google_id;    ///< base32hex, as events.insert accepts it
  std::string uid;          ///< the iCalendar UID (and the CalDAV resource's name)
  std::string summary;      ///< "Knippen: Anna de Vries"
  std::string description;  ///< the number, the price, where it came from
};

calendar_entry calendar_entry_of(const booking_record& b, const std::string& lang);

/// Whether a calendar event is one of parley's bookings (by its Google id or
/// UID): those are counted from parley's own table, not as busy time.
bool is_booking_entry(const std::string& id_or_uid);

} // namespace parley
