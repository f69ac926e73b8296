#pragma once

// Bookings as the storage files select them (internal to storage/).

#include "protocol/booking.hpp"
#include "storage/pg.hpp"

namespace parley::storage {

inline constexpr const char* booking_columns =
  "id, tenant, service, customer, customer_name,"
  " (extract(epoch FROM start_at) * 1000)::bigint, (extract(epoch FROM end_at) * 1000)::bigint,"
  " price, status, (extract(epoch FROM created_at) * 1000)::bigint";

inline booking_record read_booking(const result& r, int i) {
  booking_record b;
  b.id = r.int64(i, 0);
  b.tenant = r.text(i, 1);
  b.service = r.text(i, 2);
  b.customer = r.text(i, 3);
  b.customer_name = r.text(i, 4);
  b.start_ms = r.int64(i, 5);
  b.end_ms = r.int64(i, 6);
  b.price = r.text(i, 7);
  b.status = r.text(i, 8);
  b.created_ms = r.int64(i, 9);
  return b;
}

} // namespace parley::storage
