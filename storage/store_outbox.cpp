// A sender's step: what became of its last sends, and the rows it sends next
// marked in flight, in one round trip.

#include "storage/outbox_rows.hpp"
#include "storage/outbox_sql.hpp"
#include "storage/store.hpp"

#include <string>

namespace parley::storage {

namespace {

/// Applies outcomes row by row from parallel arrays. A status webhook may
/// have moved a row on already: `sent` then keeps that state.
const char* record_outcomes =
  "UPDATE outbox o SET"
  " state = CASE WHEN u.state = 'failed' THEN 'failed'"
  "   WHEN u.state = 'sent' AND o.state = 'pending' THEN 'sent' ELSE o.state END,"
  " provider_message_id = CASE WHEN u.state = 'sent' THEN nullif(u.mid, '')"
  "   ELSE o.provider_message_id END,"
  " sent_at = CASE WHEN u.state = 'sent' THEN now() ELSE o.sent_at END,"
  " error_code = CASE u.state WHEN 'sent' THEN NULL"
  "   WHEN 'failed' THEN nullif(u.code::bigint, 0) ELSE o.error_code END,"
  " error_title = CASE WHEN u.state = 'sent' THEN NULL ELSE nullif(u.error, '') END,"
  " in_flight = false, attempts = u.attempts::int, updated_at = now()"
  " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])"
  "   AS u(id, state, attempts, mid, code, error)"
  " WHERE o.id = u.id::bigint";

const char* mark_in_flight =
  "UPDATE outbox o SET in_flight = true"
  " WHERE id = ANY($1::bigint[]) AND state = 'pending' RETURNING id,"
  " coalesce((SELECT (extract(epoch FROM c.last_inbound_at) * 1000)::bigint"
  "   FROM conversations c WHERE c.tenant = o.tenant AND c.chat = o.recipient), 0)";

} // namespace

std::vector<statement> outbox_step_statements(const std::vector<outbox_outcome>& outcomes,
                                              const std::vector<int64_t>& to_send) {
  std::vector<statement> statements;
  if (outcomes.empty() && to_send.empty())
    return statements;
  if (to_send.empty())
    statements.push_back({"SET LOCAL synchronous_commit = off", {}});
  if (!outcomes.empty()) {
    std::vector<std::string> ids, states, attempts, mids, codes, errors;
    for (auto& o : outcomes) {
      ids.push_back(std::to_string(o.id));
      states.push_back(o.state);
      attempts.push_back(std::to_string(o.attempts));
      mids.push_back(o.provider_message_id);
      codes.push_back(std::to_string(o.error_code));
      errors.push_back(o.error);
    }
    // Sets of ids: planned at each step (statement::plan_each_time).
    statements.push_back({record_outcomes,
                          {text_array(ids), text_array(states), text_array(attempts),
                           text_array(mids), text_array(codes), text_array(errors)},
                          true});
  }
  if (!to_send.empty())
    statements.push_back({mark_in_flight, {bigint_array(to_send)}, true});
  return statements;
}

std::vector<outbox_claim> read_claims(const result& marks) {
  std::vector<outbox_claim> claims;
  for (int i = 0; i < marks.rows(); ++i)
    claims.push_back({marks.int64(i, 0), marks.int64(i, 1)});
  return claims;
}

statement pending_outbox_statement(const std::vector<std::string>& channels) {
  return {"SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = 'pending'"
          " AND channel = ANY($1::text[]) ORDER BY id",
          {text_array(channels)}, true};
}

std::vector<outbox_claim> store::outbox_step(const std::vector<outbox_outcome>& outcomes,
                                             const std::vector<int64_t>& to_send) {
  auto statements = outbox_step_statements(outcomes, to_send);
  if (statements.empty())
    return {};
  transaction tx(db_);
  auto results = tx.commit(std::move(statements));
  if (to_send.empty())
    return {};
  return read_claims(results.back());
}

std::vector<outbox_item> store::pending_outbox(const std::vector<std::string>& channels) {
  return read_outbox(db_.exec(pending_outbox_statement(channels)));
}

} // namespace parley::storage
