#pragma once

#include "actors/business/booking_calendar.hpp"
#include "actors/interfaces.hpp"
#include "actors/storage_worker.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <map>
#include <memory>

namespace parley {

struct booking_desk_state {
  booking_desk_state() = default;
  std::unique_ptr<store_handle> db;
  std::vector<sender_actor> senders;  ///< for hand-over notices
  google_access google;               ///< a business calendar on Google
  /// Each business's own calendar (google, caldav) by tenant id.
  std::map<std::string, std::unique_ptr<booking_calendar>> calendars;
  static inline const char* name = "booking-desk";
};

/// Spawn detached: the booking tools of every business tenant (list_services,
/// find_slots, book, my_appointments, reschedule, cancel) against parley's
/// own calendar (also written to the business's Google or CalDAV calendar,
/// whose other events block their time), the customer records, STOP/START
/// and hand-overs.
booking_desk_actor::behavior_type
booking_desk(booking_desk_actor::stateful_pointer<booking_desk_state> self,
             std::shared_ptr<const config> cfg, std::string conninfo,
             std::vector<sender_actor> senders, google_access google);

} // namespace parley
