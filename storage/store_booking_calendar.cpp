// A business's bookings as its own calendar (Google or CalDAV) has yet to
// show them: the versions migration 0016's trigger counts.

#include "storage/store.hpp"

#include "storage/booking_rows.hpp"

namespace parley::storage {

std::vector<std::pair<booking_record, int>>
store::unmirrored_bookings(const std::string& tenant, int64_t after_ms, int limit) {
  auto r = db_.exec(std::string("SELECT ") + booking_columns + ", calendar_version"
                    " FROM bookings WHERE tenant = $1 AND calendar_synced < calendar_version"
                    " AND end_at > to_timestamp($2::bigint / 1000.0)"
                    " ORDER BY updated_at, id LIMIT $3",
                    {tenant, std::to_string(after_ms), std::to_string(limit)});
  std::vector<std::pair<booking_record, int>> out;
  for (int i = 0; i < r.rows(); ++i)
    out.emplace_back(read_booking(r, i), static_cast<int>(r.int64(i, 10)));
  return out;
}

void store::booking_mirrored(int64_t id, int version) {
  db_.exec("UPDATE bookings SET calendar_synced = $2::int WHERE id = $1::bigint"
           " AND calendar_synced < $2::int",
           {std::to_string(id), std::to_string(version)});
}

} // namespace parley::storage
