#pragma once

// A business's own calendar beside parley's bookings (google or caldav in
// business.calendar): the owner's other events there block their time, and
// every booking is written there as it stands, under an id derived from it.
// Blocking HTTP within connectors.timeout_ms, on the booking desk's thread.
// The bookings themselves, and every rule, stay in PostgreSQL.

#include "actors/connectors/sources.hpp"
#include "protocol/availability.hpp"
#include "protocol/booking.hpp"
#include "protocol/config.hpp"

#include <memory>
#include <string>
#include <vector>

namespace parley {

class google_tokens;
namespace net {
class http_client;
}

class booking_calendar {
public:
  booking_calendar(const config& cfg, const tenant_config& t, const google_access& google);
  ~booking_calendar();

  /// Whether this still matches the tenant's calendar settings.
  bool serves(const tenant_config& t) const;

  /// The busy time between two instants: events not marked free, parley's
  /// own booking entries left out. Sets `error` (a sentence) when the
  /// calendar cannot be read.
  std::vector<booked_span> busy(int64_t from_ms, int64_t to_ms, std::string& error);

  /// Writes `b` as it stands: confirmed or held → created or updated;
  /// cancelled → removed (already gone counts as done).
  write_outcome write(const booking_record& b);

private:
  write_outcome write_google(const booking_record& b);
  write_outcome write_caldav(const booking_record& b);

  calendar_source cal_;
  std::string zone_, language_, api_url_;
  int timeout_ms_;
  int places_ = 1;  ///< max_concurrent: an owner's event takes them all
  std::unique_ptr<google_tokens> tokens_;  ///< google
  std::unique_ptr<net::http_client> http_; ///< caldav
};

} // namespace parley
