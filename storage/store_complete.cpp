// Completing a message on the blocking store: the completion's one
// statement (storage/completion_sql.cpp), a task command's write included.

#include "storage/store.hpp"

#include "storage/completion_sql.hpp"
#include "storage/outbox_rows.hpp"

namespace parley::storage {

completion_result store::complete(const completion& c, const std::string& channel) {
  auto writes = completion_writes_of(c, c.reply, channel);
  auto s = completion_statement(writes);
  // Never a second reply: the statement writes nothing when the event was
  // done already, and hands over what that first completion left unsent.
  auto ids = completion_ids(db_.exec(s.sql, s.params));
  if (!ids) {
    auto unsent = unsent_rows_statement(c.message.event_id);
    return completion_result{false, {}, read_outbox(db_.exec(unsent.sql, unsent.params))};
  }
  return applied(std::move(writes), *ids);
}

} // namespace parley::storage
