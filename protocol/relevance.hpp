#pragma once

// Group relevance: should the bot speak? Step 1 is a rule without any LLM
// (a mention of the bot, its name or an alias, or a reply to one of its
// messages); otherwise a scorer LLM rates the message 0..1 from the group's
// recent context. Group names, sender names and texts reach the model as
// quoted JSON data, never as instructions. Pure: no I/O.

#include "protocol/config.hpp"
#include "protocol/types.hpp"

#include <optional>
#include <string>
#include <vector>

namespace parley {

/// The JIDs that mean the bot: the one the channel reported, and the
/// configured number.
std::vector<std::string> bot_ids(const tenant_config& t, const inbound_message& m);

/// Step 1: score 1.0 when the message is addressed to the bot, by JID
/// mention, by name or alias (whole words, any case) or by quoting it.
std::optional<relevance> rule_relevance(const tenant_config& t,
                                        const inbound_message& m);

/// Step 2's question to the scorer model: the group's recent messages and
/// the new one as data, asking for {"score": 0..1, "reason": "..."}.
llm_request scorer_request(const tenant_config& t,
                           const std::vector<memory_entry>& memory,
                           const inbound_message& m);

/// The scorer's answer; anything but an object with a numeric score in 0..1
/// is score 0, reason "unparseable". A ```json fence is tolerated.
relevance parse_score(const std::string& text);

/// The reply request in a group: the tenant's prompt and fixed group rules
/// as the system prompt; the transcript and the message as data; the reply
/// addresses the sender by name.
llm_request group_reply_request(const tenant_config& t,
                                const std::vector<memory_entry>& memory,
                                const inbound_message& m);

/// True when the bot has answered this message's author `turns` times in a
/// row with nobody else speaking: most likely another bot, and a loop.
bool looks_like_bot_loop(const std::vector<memory_entry>& memory,
                         const inbound_message& m, int turns = 3);

/// Replies sent in the last minute against the tenant's per-group limit.
bool over_rate_limit(const tenant_config& t, const std::vector<int64_t>& reply_ms,
                     int64_t now_ms);

} // namespace parley
