#pragma once

// Each booking's one reminder, `business.reminder.hours_before` its start,
// in the booking desk's thread: queued exactly once (the outbox row and the
// booking's mark in one statement), never for a cancelled booking or a
// customer who opted out, and sent as the reminder template when the
// customer's 24-hour window is closed (the sender decides, at send time).

#include "protocol/config.hpp"
#include "protocol/types.hpp"
#include "storage/store.hpp"

#include <vector>

namespace parley {

/// Queues every reminder due now in every business tenant that has them;
/// returns the outbox rows to hand to the senders.
std::vector<outbox_item> queue_due_reminders(storage::store& db, const config& cfg);

} // namespace parley
