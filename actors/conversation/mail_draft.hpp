#pragma once

#include "actors/conversation/agent_loop.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace parley {

struct mail_draft_state {
  mail_draft_state() = default;
  caf::typed_response_promise<turn_outcome> rp;
  static inline const char* name = "mail-draft";
};

/// `draft: antwoord Jan over de factuur`: the newest mail from the last 30
/// days whose sender or subject has the most of the instruction's words,
/// a reply drafted by the model from that mail and the instruction, and the
/// gate's approval request showing recipient, subject and every word. The
/// reply is sent only after approval, by the gate.
mail_draft_actor::behavior_type
mail_draft(mail_draft_actor::stateful_pointer<mail_draft_state> self, agent_context ctx);

} // namespace parley
