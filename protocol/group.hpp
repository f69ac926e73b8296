#pragma once

// Group chats: how their messages are remembered. Names and texts written by
// group members are data, never instructions.

#include "protocol/types.hpp"

#include <string>

namespace parley {

/// A sender name safe to show the model: no control characters or line
/// breaks, at most 40 characters; the number when there is no name.
std::string display_name(const inbound_message& m);

/// The line a message leaves in memory: in groups labelled with its author
/// ("Anna: text") so the model can tell speakers apart; the text as is
/// elsewhere.
std::string memory_text(const inbound_message& m);

} // namespace parley
