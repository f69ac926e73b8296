#pragma once

#include "actors/app/admin_api.hpp"
#include "actors/channels/ingest.hpp"
#include "actors/connectors/connector.hpp"
#include "actors/interfaces.hpp"
#include "net/http_types.hpp"
#include "protocol/config.hpp"
#include "protocol/evolution.hpp"
#include "protocol/meta_webhook.hpp"

#include <memory>

namespace parley {

/// Turns parsed Meta items into event rows for one tenant mapping: messages
/// for an unknown phone_number_id are stored as ignored.
std::vector<storage::event_row>
meta_event_rows(const config& cfg, const std::vector<meta::webhook_item>& items);

/// Evolution API items as stored events: messages (with their group
/// context), connection changes, and ignored items with their reason.
std::vector<storage::event_row>
evolution_event_rows(const config& cfg,
                     const std::vector<evolution::webhook_item>& items);

/// The WEBHOOK LISTENER: every HTTP route of parley. Runs on the HTTP threads
/// and never blocks: it verifies and parses, hands the batch to the ingest
/// actor, and answers once the batch is committed.
net::http_handler make_http_handler(std::shared_ptr<const config> cfg,
                                    ingest_actor ingest,
                                    std::shared_ptr<ingest_metrics> metrics,
                                    admin_actors admin,
                                    std::shared_ptr<const connector_board> board = nullptr);

} // namespace parley
