#pragma once

// Outbox rows as the storage files select them (internal to storage/).

#include "protocol/types.hpp"
#include "storage/pg.hpp"

#include <vector>

namespace parley::storage {

#define OUTBOX_COLUMNS \
  "id, tenant, chat, channel, recipient, body, attempts, coalesce(approval_id, 0)," \
  " coalesce(quoted_id, ''), coalesce(quoted_text, ''), coalesce(mention, '')," \
  " in_flight, coalesce(template_name, ''), coalesce(template_language, '')," \
  " coalesce(template_params::text, '[]')"

/// How many columns OUTBOX_COLUMNS selects (a query's next column follows).
constexpr int outbox_column_count = 15;

std::vector<outbox_item> read_outbox(const result& r);

} // namespace parley::storage
