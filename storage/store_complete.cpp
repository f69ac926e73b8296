// Completing a message on the blocking store: the completion's one
// statement (storage/completion_sql.cpp), a task command's write included.

#include "storage/store.hpp"

#include "storage/completion_sql.hpp"
#include "storage/outbox_rows.hpp"

namespace parley::storage {

completion_result store::complete(const completion& c, const std::string& channel) {
  auto writes = completion_writes_of(c, c.reply, channel);
  // Never a second reply: the statement writes nothing when the event was
  // done already, and hands over what that first completion left unsent.
  auto ids = completion_ids(db_.exec(completion_statement(writes)));
  if (!ids)
    return {false, {}, read_outbox(db_.exec(unsent_rows_statement(c.message.event_id)))};
  return applied(std::move(writes), *ids);
}

} // namespace parley::storage
