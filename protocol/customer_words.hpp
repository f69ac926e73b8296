#pragma once

// What a business's customer can say that parley handles before anything
// else, and the words it answers with: STOP and START (Meta's opt-out), and
// asking for a person (the hand-over).

#include "protocol/business.hpp"

#include <cstdint>
#include <string>

namespace parley {

enum class customer_intent { none, opt_out, opt_in, human };

/// STOP/stop/afmelden/unsubscribe, START/aanmelden, mens/medewerker/human/
/// agent: the whole message is that one word (case and a trailing "!" or
/// "." ignored); anything longer is a message like any other.
customer_intent intent_of(const std::string& text);

std::string opt_out_reply(const std::string& lang);
std::string opt_in_reply(const std::string& lang);

/// When a person can answer, from the opening hours: "" while open now,
/// else the next opening as local "YYYY-MM-DD HH:MM" (within 14 days; ""
/// when there is none).
std::string next_opening(const business_config& b, const std::string& zone, int64_t now_ms);

/// What the customer hears after asking for a person.
std::string handover_reply(const business_config& b, const std::string& zone, int64_t now_ms,
                           const std::string& lang);

/// What staff and the owner read: who, and their last messages.
std::string handover_notice(const std::string& business, const std::string& number,
                            const std::string& name, const std::string& reason,
                            const std::string& last_messages, const std::string& lang);

} // namespace parley
