#pragma once

// A sender's step as statements: the blocking store (store_outbox.cpp) and
// the asynchronous outbox keeper (outbox_async.cpp) run the same SQL
// (internal to storage/).

#include "protocol/types.hpp"
#include "storage/pg.hpp"

#include <string>
#include <vector>

namespace parley::storage {

/// The step's statements, to run in one transaction: the outcomes recorded,
/// then the rows to send marked in flight (the marks are the last
/// statement). Empty when there is nothing to do. Without rows to mark, the
/// commit need not wait for the log flush: a lost outcome only makes a row
/// look in flight, which its status webhook or the in-doubt rule settles.
std::vector<statement> outbox_step_statements(const std::vector<outbox_outcome>& outcomes,
                                              const std::vector<int64_t>& to_send);

/// The rows the marks returned: still pending, free to go.
std::vector<outbox_claim> read_claims(const result& marks);

/// Unsent rows of these channels, oldest first (read_outbox reads them).
statement pending_outbox_statement(const std::vector<std::string>& channels);

} // namespace parley::storage
