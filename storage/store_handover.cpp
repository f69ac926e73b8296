// Customers who said STOP, chats handed over to a person, and staff
// answering a customer as the business.

#include "storage/store.hpp"

#include "storage/outbox_rows.hpp"

namespace parley::storage {

void store::set_opted_out(const std::string& tenant, const std::string& number, bool out) {
  db_.exec("INSERT INTO customers (tenant, number, opted_out) VALUES ($1, $2, $3::boolean)"
           " ON CONFLICT (tenant, number) DO UPDATE SET opted_out = $3::boolean,"
           " last_contact = now()",
           {tenant, number, out ? "true" : "false"});
  if (!out)
    return;
  // No reminders after STOP: those queued and not yet under way are
  // withdrawn, and queued again (if still due) after START.
  db_.exec("WITH w AS (UPDATE outbox SET state = 'failed', error_title = 'opted_out',"
           " updated_at = now() WHERE state = 'pending' AND NOT in_flight AND id IN"
           " (SELECT reminder_outbox_id FROM bookings WHERE tenant = $1 AND customer = $2)"
           " RETURNING id)"
           " UPDATE bookings SET reminder_outbox_id = NULL WHERE tenant = $1 AND customer = $2"
           " AND reminder_outbox_id IN (SELECT id FROM w)",
           {tenant, number});
}

bool store::opted_out(const std::string& tenant, const std::string& number) {
  auto r = db_.exec("SELECT opted_out FROM customers WHERE tenant = $1 AND number = $2",
                    {tenant, number});
  return r.rows() > 0 && r.text(0, 0) == "t";
}

bool store::pause_chat(const std::string& tenant, const std::string& chat, int64_t until_ms,
                       const std::string& reason) {
  auto r = db_.exec("WITH before AS (SELECT paused_until FROM conversations"
                    " WHERE tenant = $1 AND chat = $2)"
                    " INSERT INTO conversations (tenant, chat, paused_until, paused_reason)"
                    " VALUES ($1, $2, to_timestamp($3::bigint / 1000.0), $4)"
                    " ON CONFLICT (tenant, chat) DO UPDATE SET"
                    " paused_until = to_timestamp($3::bigint / 1000.0), paused_reason = $4"
                    " RETURNING (SELECT coalesce(bool_or(paused_until > now()), false) FROM before)",
                    {tenant, chat, std::to_string(until_ms), reason});
  return r.rows() > 0 && r.text(0, 0) != "t";
}

bool store::resume_chat(const std::string& tenant, const std::string& chat) {
  auto r = db_.exec("UPDATE conversations SET paused_until = NULL, paused_reason = ''"
                    " WHERE tenant = $1 AND chat = $2 AND paused_until > now() RETURNING 1",
                    {tenant, chat});
  return r.rows() > 0;
}

int64_t store::paused_until(const std::string& tenant, const std::string& chat) {
  auto r = db_.exec("SELECT (extract(epoch FROM paused_until) * 1000)::bigint FROM conversations"
                    " WHERE tenant = $1 AND chat = $2 AND paused_until > now()",
                    {tenant, chat});
  return r.rows() > 0 ? r.int64(0, 0) : 0;
}

staff_reply_queued store::queue_staff_reply(const std::string& tenant, int64_t event_id,
                                            const std::string& staff, const std::string& channel,
                                            const staff_reply& reply) {
  staff_reply_queued out;
  transaction tx(db_);
  auto known = tx.exec("SELECT 1 FROM customers WHERE tenant = $1 AND number = $2",
                       {tenant, reply.number});
  if (known.rows() == 0) {
    out.outcome = staff_reply_outcome::unknown_customer;
    return out;
  }
  // Meta: free-form text only within 24 hours of the customer's last message.
  if (channel == "meta") {
    auto open = tx.exec("SELECT 1 FROM conversations WHERE tenant = $1 AND chat = $2"
                        " AND last_inbound_at > now() - interval '24 hours'",
                        {tenant, reply.number});
    if (open.rows() == 0) {
      out.outcome = staff_reply_outcome::window_closed;
      return out;
    }
  }
  out.outcome = staff_reply_outcome::sent;
  // Once per staff message: handled again after a crash, it finds its row.
  auto id = std::to_string(event_id);
  auto before = tx.exec("SELECT 1 FROM outbox WHERE event_id = $1 AND chat = $2 AND tenant = $3",
                        {id, reply.number, tenant});
  if (before.rows() > 0)
    return out;
  auto row = tx.exec("INSERT INTO outbox (event_id, tenant, chat, channel, recipient, body)"
                     " VALUES ($1, $2, $3, $4, $3, $5) RETURNING " OUTBOX_COLUMNS,
                     {id, tenant, reply.number, channel, reply.text});
  // The customer's conversation remembers what the business said.
  tx.exec("INSERT INTO messages (tenant, chat, role, content, event_id)"
          " VALUES ($1, $2, 'assistant', $3, $4)",
          {tenant, reply.number, reply.text, id});
  tx.exec("INSERT INTO audit (tenant, actor, action, subject, decision, detail)"
          " VALUES ($1, $2, 'staff_reply', $3, 'sent', $4)",
          {tenant, staff, reply.number, reply.text});
  tx.commit();
  out.row = read_outbox(row).front();
  return out;
}

} // namespace parley::storage
