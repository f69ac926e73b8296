#pragma once

// The statement that completes a message (storage/store_complete.cpp),
// shared by the blocking store and the group commit of completions.

#include "protocol/types.hpp"
#include "storage/pg.hpp"

#include <string>
#include <vector>

namespace parley::storage {

/// The completion's one statement, the reply it stores and the outbox rows
/// it writes (their ids come back in part order).
struct completion_writes {
  statement sql;
  std::string reply;
  std::vector<outbox_item> rows;
};

completion_writes completion_statement(const completion& c, const std::string& reply,
                                       const std::string& channel);

/// True when the statement wrote: the event was still pending.
bool completion_applied(const result& r);

/// What the session learns from a completion that wrote: the reply and the
/// outbox rows with their ids.
completion_result applied(completion_writes writes, const result& r);

/// The rows still to send of an event completed before: for when the first
/// answer was committed but lost on the way (a timeout). The sender sends
/// each row once, whoever hands it over.
statement unsent_rows_statement(int64_t event_id);

} // namespace parley::storage
