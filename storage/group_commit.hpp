#pragma once

// Completions of many sessions committed together on one asynchronous
// connection: one statement, one transaction and one commit (one flush of
// PostgreSQL's log) for the batch, instead of one of each per message. Each completion stays guarded by
// its event's state, so a batch that is repeated after a lost answer writes
// nothing twice.

#include "protocol/types.hpp"
#include "storage/pg_async.hpp"

#include <functional>
#include <string>
#include <vector>

namespace parley::storage {

/// A completion and the channel its reply leaves through.
struct completion_job {
  completion c;
  std::string channel;
};

/// Commits `jobs` in one transaction on `db` (one statement for several);
/// when one fails, the others are committed without it. A completion whose event was done before
/// writes nothing and gets its rows still unsent. `done` runs once, on the
/// connection's loop, with one outcome per job, in order.
void complete_together(async_connection& db, std::vector<completion_job> jobs,
                       std::function<void(std::vector<completion_outcome>)> done);

} // namespace parley::storage
