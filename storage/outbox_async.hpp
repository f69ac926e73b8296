#pragma once

// A sender's step and its recovery read on an asynchronous connection: the
// same statements as store::outbox_step and store::pending_outbox, without a
// thread blocked on each.

#include "protocol/types.hpp"
#include "storage/pg_async.hpp"

#include <functional>
#include <string>
#include <vector>

namespace parley::storage {

/// Records `outcomes` and marks `to_send` in flight in one transaction;
/// `done` runs once, on the connection's loop, with the rows still pending
/// and free to go, or with `error` set (nothing may be assumed then: the
/// step is harmless to repeat).
void outbox_step(async_connection& db, const std::vector<outbox_outcome>& outcomes,
                 const std::vector<int64_t>& to_send,
                 std::function<void(std::vector<outbox_claim>, std::string error)> done);

/// Unsent rows of `channels`, oldest first, or `error`.
void pending_outbox(async_connection& db, const std::vector<std::string>& channels,
                    std::function<void(std::vector<outbox_item>, std::string error)> done);

} // namespace parley::storage
