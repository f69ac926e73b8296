// Bookings in parley's own calendar and the customers who make them.

#include "storage/store.hpp"

#include "protocol/availability.hpp"

namespace parley::storage {

namespace {

const char* columns =
  "id, tenant, service, customer, customer_name,"
  " (extract(epoch FROM start_at) * 1000)::bigint, (extract(epoch FROM end_at) * 1000)::bigint,"
  " price, status, (extract(epoch FROM created_at) * 1000)::bigint";

booking_record row_of(const result& r, int i) {
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

std::string ms(int64_t v) { return std::to_string(v); }

/// Serialises every booking change of a tenant until the transaction ends.
void lock_tenant(transaction& tx, const std::string& tenant) {
  tx.exec("SELECT pg_advisory_xact_lock(hashtext('bookings:' || $1))", {tenant});
}

/// Whether [start, end) has room, leaving booking `except` out.
bool has_room(transaction& tx, const std::string& tenant, int64_t start, int64_t end,
              int max_concurrent, int64_t except) {
  auto r = tx.exec("SELECT (extract(epoch FROM start_at) * 1000)::bigint,"
                   " (extract(epoch FROM end_at) * 1000)::bigint FROM bookings"
                   " WHERE tenant = $1 AND status <> 'cancelled' AND id <> $4"
                   " AND start_at < to_timestamp($3::bigint / 1000.0)"
                   " AND end_at > to_timestamp($2::bigint / 1000.0)",
                   {tenant, ms(start), ms(end), ms(except)});
  std::vector<booked_span> taken;
  for (int i = 0; i < r.rows(); ++i)
    taken.push_back({r.int64(i, 0), r.int64(i, 1)});
  return peak_overlap(start, end, taken) < max_concurrent;
}

} // namespace

const std::string recent_query =
  std::string("SELECT ") + columns
  + " FROM bookings WHERE tenant = $1 AND customer = $2 AND service = $3"
    " AND status <> 'cancelled' AND created_at > now() - interval '5 minutes' ORDER BY id LIMIT 1";

std::optional<booking_record> store::recent_booking(const std::string& tenant,
                                                    const std::string& customer,
                                                    const std::string& service) {
  auto r = db_.exec(recent_query, {tenant, customer, service});
  if (r.rows() == 0)
    return std::nullopt;
  return row_of(r, 0);
}

booking_attempt store::book(const booking_record& w, int max_concurrent) {
  booking_attempt out;
  transaction tx(db_);
  lock_tenant(tx, w.tenant);
  // Checked again under the lock: two repeats may arrive at once.
  auto same = tx.exec(recent_query, {w.tenant, w.customer, w.service});
  if (same.rows() > 0) {
    out.booking = row_of(same, 0);
    out.repeat = true;
    tx.commit();
    return out;
  }
  if (!has_room(tx, w.tenant, w.start_ms, w.end_ms, max_concurrent, 0)) {
    out.code = "slot_unavailable";
    return out;
  }
  auto r = tx.exec(std::string("INSERT INTO bookings (tenant, service, customer, customer_name,"
                               " start_at, end_at, price, status) VALUES ($1, $2, $3, $4,"
                               " to_timestamp($5::bigint / 1000.0), to_timestamp($6::bigint / 1000.0),"
                               " $7, $8) RETURNING ")
                     + columns,
                   {w.tenant, w.service, w.customer, w.customer_name, ms(w.start_ms),
                    ms(w.end_ms), w.price, w.status});
  out.booking = row_of(r, 0);
  tx.commit();
  return out;
}

booking_attempt store::reschedule(const std::string& tenant, int64_t id,
                                  const std::string& customer, int64_t start_ms, int64_t end_ms,
                                  int max_concurrent) {
  booking_attempt out;
  transaction tx(db_);
  lock_tenant(tx, tenant);
  auto mine = tx.exec(std::string("SELECT ") + columns + " FROM bookings WHERE id = $1"
                      " AND tenant = $2 AND ($3 = '' OR customer = $3) AND status <> 'cancelled'",
                      {ms(id), tenant, customer});
  if (mine.rows() == 0) {
    out.code = "not_found";
    return out;
  }
  if (!has_room(tx, tenant, start_ms, end_ms, max_concurrent, id)) {
    out.code = "slot_unavailable";
    out.booking = row_of(mine, 0);
    return out;
  }
  auto r = tx.exec(std::string("UPDATE bookings SET start_at = to_timestamp($2::bigint / 1000.0),"
                               " end_at = to_timestamp($3::bigint / 1000.0), updated_at = now()"
                               " WHERE id = $1 RETURNING ")
                     + columns,
                   {ms(id), ms(start_ms), ms(end_ms)});
  out.booking = row_of(r, 0);
  tx.commit();
  return out;
}

booking_attempt store::cancel_booking(const std::string& tenant, int64_t id,
                                      const std::string& customer) {
  booking_attempt out;
  auto r = db_.exec(std::string("UPDATE bookings SET status = 'cancelled', updated_at = now()"
                                " WHERE id = $1 AND tenant = $2 AND ($3 = '' OR customer = $3)"
                                " AND status <> 'cancelled' RETURNING ")
                      + columns,
                    {ms(id), tenant, customer});
  if (r.rows() == 0)
    out.code = "not_found";
  else
    out.booking = row_of(r, 0);
  return out;
}

std::vector<booking_record> store::bookings(const std::string& tenant, const std::string& customer,
                                            int64_t from_ms, int64_t to_ms,
                                            const std::string& status) {
  auto r = db_.exec(std::string("SELECT ") + columns + " FROM bookings WHERE tenant = $1"
                      " AND ($2 = '' OR customer = $2)"
                      " AND start_at >= to_timestamp($3::bigint / 1000.0)"
                      " AND start_at < to_timestamp($4::bigint / 1000.0)"
                      " AND (($5 = '' AND status <> 'cancelled') OR status = $5)"
                      " ORDER BY start_at, id LIMIT 500",
                    {tenant, customer, ms(from_ms), ms(to_ms), status});
  std::vector<booking_record> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(row_of(r, i));
  return out;
}

std::optional<booking_record> store::booking(int64_t id) {
  auto r = db_.exec(std::string("SELECT ") + columns + " FROM bookings WHERE id = $1", {ms(id)});
  if (r.rows() == 0)
    return std::nullopt;
  return row_of(r, 0);
}

void store::touch_customer(const std::string& tenant, const std::string& number,
                           const std::string& name) {
  db_.exec("INSERT INTO customers (tenant, number, name) VALUES ($1, $2, $3)"
           " ON CONFLICT (tenant, number) DO UPDATE SET last_contact = now(),"
           " name = CASE WHEN $3 = '' THEN customers.name ELSE $3 END",
           {tenant, number, name});
}

} // namespace parley::storage
