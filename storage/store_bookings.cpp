// Bookings in parley's own calendar and the customers who make them.

#include "storage/store.hpp"

#include "storage/booking_rows.hpp"
#include "storage/outbox_rows.hpp"

#include "protocol/approval_text.hpp"
#include "protocol/availability.hpp"

#include <nlohmann/json.hpp>

namespace parley::storage {

namespace {

std::string ms(int64_t v) { return std::to_string(v); }

/// Withdraws the reminder rows (ids from the subquery that follows) that
/// are still waiting: one already under way is left to finish.
const char* withdraw_sql =
  "UPDATE outbox SET state = 'failed', error_title = 'withdrawn', in_flight = false,"
  " updated_at = now() WHERE state = 'pending' AND NOT in_flight AND id IN";

/// A confirmed booking whose reminder is due now ($2 hours before its start)
/// and not yet queued, to a customer who has not opted out. A booking made
/// inside that time gets none: its confirmation is fresher.
const char* reminder_due_sql =
  " b.status = 'confirmed' AND b.reminder_outbox_id IS NULL AND b.start_at > now()"
  " AND b.start_at <= now() + make_interval(hours => $2::int)"
  " AND b.created_at < b.start_at - make_interval(hours => $2::int)"
  " AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.tenant = b.tenant"
  " AND c.number = b.customer AND c.opted_out)";

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

/// approve_bookings: the held booking's approval and the owner's prompt.
outbox_item hold_for_approval(transaction& tx, const booking_record& b, const booking_hold& hold) {
  auto summary = booking_approval_summary(b, hold.zone, hold.language);
  auto a = tx.exec("INSERT INTO approvals (tenant, chat, channel, kind, argv, summary,"
                   " requested_by, reason, expires_at) VALUES ($1, $2, $3, 'booking',"
                   " ARRAY[$4::text], $5, $6, 'approve_bookings', "
                   + steady_deadline("$8", "$7") + ") RETURNING id",
                   {b.tenant, hold.owner, hold.channel, ms(b.id), summary, b.customer,
                    std::to_string(hold.ttl_s), std::to_string(steady_wall_ms())});
  auto approval = a.int64(0, 0);
  tx.exec("UPDATE bookings SET approval_id = $2 WHERE id = $1", {ms(b.id), ms(approval)});
  auto row = tx.exec("INSERT INTO outbox (tenant, chat, channel, recipient, body, approval_id)"
                     " VALUES ($1, $2, $3, $2, $4, $5) RETURNING " OUTBOX_COLUMNS,
                     {b.tenant, hold.owner, hold.channel,
                      approval_prompt(hold.language, approval, summary), ms(approval)});
  return read_outbox(row).front();
}

} // namespace

const std::string recent_query =
  std::string("SELECT ") + booking_columns
  + " FROM bookings WHERE tenant = $1 AND customer = $2 AND service = $3"
    " AND status <> 'cancelled' AND created_at > now() - interval '5 minutes' ORDER BY id LIMIT 1";

std::optional<booking_record> store::recent_booking(const std::string& tenant,
                                                    const std::string& customer,
                                                    const std::string& service) {
  auto r = db_.exec(recent_query, {tenant, customer, service});
  if (r.rows() == 0)
    return std::nullopt;
  return read_booking(r, 0);
}

booking_attempt store::book(const booking_record& w, int max_concurrent,
                            const booking_hold* hold) {
  booking_attempt out;
  transaction tx(db_);
  lock_tenant(tx, w.tenant);
  // Checked again under the lock: two repeats may arrive at once.
  auto same = tx.exec(recent_query, {w.tenant, w.customer, w.service});
  if (same.rows() > 0) {
    out.booking = read_booking(same, 0);
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
                     + booking_columns,
                   {w.tenant, w.service, w.customer, w.customer_name, ms(w.start_ms),
                    ms(w.end_ms), w.price, hold ? "pending" : w.status});
  out.booking = read_booking(r, 0);
  if (hold)
    out.prompt = hold_for_approval(tx, out.booking, *hold);
  tx.commit();
  return out;
}

booking_attempt store::reschedule(const std::string& tenant, int64_t id,
                                  const std::string& customer, int64_t start_ms, int64_t end_ms,
                                  int max_concurrent) {
  booking_attempt out;
  transaction tx(db_);
  lock_tenant(tx, tenant);
  auto mine = tx.exec(std::string("SELECT ") + booking_columns + " FROM bookings WHERE id = $1"
                      " AND tenant = $2 AND ($3 = '' OR customer = $3) AND status <> 'cancelled'",
                      {ms(id), tenant, customer});
  if (mine.rows() == 0) {
    out.code = "not_found";
    return out;
  }
  if (!has_room(tx, tenant, start_ms, end_ms, max_concurrent, id)) {
    out.code = "slot_unavailable";
    out.booking = read_booking(mine, 0);
    return out;
  }
  // A reminder for the old time not yet under way is withdrawn; the new
  // time gets its own.
  tx.exec(std::string("WITH w AS (") + withdraw_sql
            + " (SELECT reminder_outbox_id FROM bookings WHERE id = $1)) SELECT 1",
          {ms(id)});
  auto r = tx.exec(std::string("UPDATE bookings SET start_at = to_timestamp($2::bigint / 1000.0),"
                               " end_at = to_timestamp($3::bigint / 1000.0), updated_at = now(),"
                               " reminder_outbox_id = NULL WHERE id = $1 RETURNING ")
                     + booking_columns,
                   {ms(id), ms(start_ms), ms(end_ms)});
  out.booking = read_booking(r, 0);
  tx.commit();
  return out;
}

booking_attempt store::cancel_booking(const std::string& tenant, int64_t id,
                                      const std::string& customer) {
  booking_attempt out;
  // Its reminder, queued and not yet under way, is withdrawn with it.
  auto r = db_.exec(std::string("WITH c AS (UPDATE bookings SET status = 'cancelled',"
                                " updated_at = now() WHERE id = $1 AND tenant = $2"
                                " AND ($3 = '' OR customer = $3) AND status <> 'cancelled'"
                                " RETURNING *), w AS (") + withdraw_sql
                      + " (SELECT reminder_outbox_id FROM c)) SELECT " + booking_columns + " FROM c",
                    {ms(id), tenant, customer});
  if (r.rows() == 0)
    out.code = "not_found";
  else
    out.booking = read_booking(r, 0);
  return out;
}

std::vector<booking_record> store::bookings(const std::string& tenant, const std::string& customer,
                                            int64_t from_ms, int64_t to_ms,
                                            const std::string& status) {
  auto r = db_.exec(std::string("SELECT ") + booking_columns + " FROM bookings WHERE tenant = $1"
                      " AND ($2 = '' OR customer = $2)"
                      " AND start_at >= to_timestamp($3::bigint / 1000.0)"
                      " AND start_at < to_timestamp($4::bigint / 1000.0)"
                      " AND (($5 = '' AND status <> 'cancelled') OR status = $5)"
                      " ORDER BY start_at, id LIMIT 500",
                    {tenant, customer, ms(from_ms), ms(to_ms), status});
  std::vector<booking_record> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(read_booking(r, i));
  return out;
}

std::optional<booking_record> store::booking(int64_t id) {
  auto r = db_.exec(std::string("SELECT ") + booking_columns + " FROM bookings WHERE id = $1", {ms(id)});
  if (r.rows() == 0)
    return std::nullopt;
  return read_booking(r, 0);
}

void store::touch_customer(const std::string& tenant, const std::string& number,
                           const std::string& name) {
  db_.exec("INSERT INTO customers (tenant, number, name) VALUES ($1, $2, $3)"
           " ON CONFLICT (tenant, number) DO UPDATE SET last_contact = now(),"
           " name = CASE WHEN $3 = '' THEN customers.name ELSE $3 END",
           {tenant, number, name});
}

std::vector<booking_record> store::due_reminders(const std::string& tenant, int hours_before) {
  auto r = db_.exec(std::string("SELECT ") + booking_columns + " FROM bookings b WHERE b.tenant = $1 AND"
                      + reminder_due_sql + " ORDER BY b.start_at LIMIT 200",
                    {tenant, std::to_string(hours_before)});
  std::vector<booking_record> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(read_booking(r, i));
  return out;
}

std::optional<outbox_item> store::queue_reminder(int64_t booking_id, int hours_before,
                                                 const outbox_item& row) {
  // One statement: the booking is checked again under its row lock, the
  // outbox row inserted and recorded on the booking; a second call (or a
  // second process) finds reminder_outbox_id set and queues nothing.
  auto r = db_.exec(std::string("WITH b AS (SELECT b.id FROM bookings b WHERE b.id = $1 AND")
                      + reminder_due_sql
                      + " FOR UPDATE OF b), o AS (INSERT INTO outbox (tenant, chat, channel,"
                        " recipient, body, template_name, template_language, template_params)"
                        " SELECT $3::text, $4::text, $5::text, $6::text, $7::text,"
                        " NULLIF($8::text, ''), NULLIF($9::text, ''),"
                        " NULLIF($10::text, '[]')::jsonb FROM b RETURNING *),"
                        " u AS (UPDATE bookings SET reminder_outbox_id = (SELECT id FROM o)"
                        " WHERE id = (SELECT id FROM b))"
                        " SELECT " OUTBOX_COLUMNS " FROM o",
                    {ms(booking_id), std::to_string(hours_before), row.tenant, row.chat,
                     row.channel, row.recipient, row.body, row.template_name,
                     row.template_language, nlohmann::json(row.template_params).dump()});
  if (r.rows() == 0)
    return std::nullopt;
  return read_outbox(r).front();
}

} // namespace parley::storage
