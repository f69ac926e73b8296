#include "storage/outbox_async.hpp"

#include "storage/outbox_rows.hpp"
#include "storage/outbox_sql.hpp"

namespace parley::storage {

namespace {

/// The first failure among a batch's outcomes, or "".
std::string first_error(const std::vector<outcome>& outs, size_t expected) {
  if (outs.size() != expected)
    return "the database answered " + std::to_string(outs.size()) + " of "
           + std::to_string(expected) + " statements";
  for (auto& o : outs)
    if (!o.rows)
      return o.error.empty() ? "a statement failed" : o.error;
  return "";
}

} // namespace

void outbox_step(async_connection& db, const std::vector<outbox_outcome>& outcomes,
                 const std::vector<int64_t>& to_send,
                 std::function<void(std::vector<outbox_claim>, std::string error)> done) {
  auto statements = outbox_step_statements(outcomes, to_send);
  if (statements.empty())
    return done({}, "");
  auto n = statements.size();
  bool marks = !to_send.empty();
  db.run_together(std::move(statements), [n, marks, done](std::vector<outcome> outs) {
    auto error = first_error(outs, n);
    if (!error.empty())
      return done({}, "recording sends: " + error);
    done(marks ? read_claims(*outs.back().rows) : std::vector<outbox_claim>{}, "");
  });
}

void pending_outbox(async_connection& db, const std::vector<std::string>& channels,
                    std::function<void(std::vector<outbox_item>, std::string error)> done) {
  db.run_each({pending_outbox_statement(channels)}, [done](std::vector<outcome> outs) {
    auto error = first_error(outs, 1);
    if (!error.empty())
      return done({}, "reading the outbox: " + error);
    done(read_outbox(*outs.front().rows), "");
  });
}

} // namespace parley::storage
