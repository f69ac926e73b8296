#pragma once

// The policy gate's decisions, before any I/O: who may act and decide, what a
// tenant's mode allows, and what becomes of a reply. The gate actor stores
// and runs what these decide.

#include "protocol/config.hpp"
#include "protocol/types.hpp"

#include <string>
#include <vector>

namespace parley {

/// The owner, a configured approver, or the admin API ("admin").
bool may_decide(const tenant_config& t, const std::string& who);

/// Who works for a business: those who may decide and its `staff`. They see
/// every booking and are never handled as customers.
bool is_staff(const tenant_config& t, const std::string& who);

enum class action_verdict_kind { run, ask, deny };

struct action_verdict {
  action_verdict_kind kind = action_verdict_kind::deny;
  std::vector<std::string> argv;  ///< the exact words to run (run, ask)
  std::string summary;            ///< argv as one line, for messages
  std::string reason;             ///< a sentence for the requester
};

/// Judges an action request under the tenant's mode:
/// - only the owner (or an approver) may ask for actions at all;
/// - the shell rules deny, allow (read-only) or need approval;
/// - observe and draft run reads only; act_with_approval and trusted_auto
///   ask the owner for anything else (trusted_auto approves only replies to
///   the owner and the brief, never commands).
action_verdict judge_action(const tenant_config& t, const action_request& req);

/// What the tenant's mode does with a reply to a message that came in through
/// `provider`: "" sends it, "draft" keeps it for the owner to release,
/// "recorded" keeps it only (observe). The console is the operator's own
/// terminal, so it always gets its answer.
std::string reply_hold(const tenant_config& t, const std::string& provider);

} // namespace parley
