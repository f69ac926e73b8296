// approve_bookings: the owner's decision on a held booking, and holds that
// nobody decided in time. Each writes the approval, the booking and the
// customer's message in one transaction, so a crash leaves all or none.

#include "storage/store.hpp"

#include "storage/booking_rows.hpp"
#include "storage/outbox_rows.hpp"

namespace parley::storage {

namespace {

/// The customer's message about their held booking, in its chat.
outbox_item tell_customer(transaction& tx, const booking_record& b, const std::string& channel,
                          const std::string& text) {
  auto row = tx.exec("INSERT INTO outbox (tenant, chat, channel, recipient, body)"
                     " VALUES ($1, $2, $3, $2, $4) RETURNING " OUTBOX_COLUMNS,
                     {b.tenant, b.customer, channel, text});
  return read_outbox(row).front();
}

} // namespace

booking_decision store::decide_booking(int64_t approval_id, const std::string& tenant,
                                       bool approve, const std::string& by,
                                       const std::string& via, const std::string& business,
                                       const std::string& zone, const std::string& lang) {
  booking_decision out;
  auto id = std::to_string(approval_id);
  {
    transaction tx(db_);
    auto decided = tx.exec("UPDATE approvals SET state = $2, decided_by = $3, decided_via = $4,"
                           " decided_at = now(), finished_at = now(), outcome = $5"
                           " WHERE id = $1 AND kind = 'booking' AND state = 'pending'"
                           " AND expires_at > " + steady_now("$7")
                             + " AND ($6 = '' OR tenant = $6) RETURNING channel",
                           {id, approve ? "executed" : "denied", by, via,
                            approve ? "booking confirmed" : "booking declined", tenant,
                            std::to_string(steady_wall_ms())});
    if (decided.rows() == 1) {
      out.decided = true;
      auto channel = decided.text(0, 0);
      auto b = tx.exec(std::string("UPDATE bookings SET status = $2, updated_at = now()"
                                   " WHERE approval_id = $1 AND status = 'pending' RETURNING ")
                         + booking_columns,
                       {id, approve ? "confirmed" : "cancelled"});
      if (b.rows() == 1) {
        out.booking = read_booking(b, 0);
        auto verdict = approve ? booking_verdict::confirmed : booking_verdict::declined;
        out.to_customer = tell_customer(tx, *out.booking, channel,
                                        booking_verdict_words(verdict, *out.booking, business,
                                                              zone, lang));
      }
      tx.exec("INSERT INTO audit (tenant, actor, action, subject, decision, detail)"
              " SELECT tenant, $2, $3, $1::text, $4, 'via ' || $5 FROM approvals"
              " WHERE id = $1::text::bigint",
              {id, by, approve ? "approve" : "deny", approve ? "executed" : "denied", via});
      tx.commit();
    }
  }
  out.approval = approval(approval_id);
  if (out.approval && !tenant.empty() && out.approval->tenant != tenant)
    out.approval.reset();  // another tenant's approval does not exist here
  return out;
}

std::vector<outbox_item> store::release_expired_holds(const std::string& tenant,
                                                      const std::string& business,
                                                      const std::string& zone,
                                                      const std::string& lang) {
  std::vector<outbox_item> out;
  transaction tx(db_);
  auto lapsed = tx.exec("UPDATE approvals a SET state = 'expired', finished_at = now(),"
                        " outcome = 'booking lapsed' FROM bookings b"
                        " WHERE b.approval_id = a.id AND b.tenant = $1 AND b.status = 'pending'"
                        " AND a.state = 'pending' AND a.expires_at <= " + steady_now("$2")
                          + " RETURNING a.id, a.channel",
                        {tenant, std::to_string(steady_wall_ms())});
  for (int i = 0; i < lapsed.rows(); ++i) {
    auto b = tx.exec(std::string("UPDATE bookings SET status = 'cancelled', updated_at = now()"
                                 " WHERE approval_id = $1 AND status = 'pending' RETURNING ")
                       + booking_columns,
                     {lapsed.text(i, 0)});
    if (b.rows() == 1) {
      auto booking = read_booking(b, 0);
      out.push_back(tell_customer(tx, booking, lapsed.text(i, 1),
                                  booking_verdict_words(booking_verdict::expired, booking,
                                                        business, zone, lang)));
    }
  }
  tx.commit();
  return out;
}

} // namespace parley::storage
