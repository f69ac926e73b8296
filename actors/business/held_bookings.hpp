#pragma once

// approve_bookings: a booking waits ('pending', its place taken) for the
// owner's approval. The owner decides in the chat through the policy gate
// (storage's decide_booking); a hold nobody decided within the tenant's
// approval_ttl_s is released here, in the booking desk's rounds, and the
// customer told.

#include "protocol/config.hpp"
#include "protocol/types.hpp"
#include "storage/store.hpp"

#include <vector>

namespace parley {

/// Cancels every held booking whose approval expired undecided; returns the
/// customers' messages to hand to the senders.
std::vector<outbox_item> release_lapsed_holds(storage::store& db, const config& cfg);

} // namespace parley
