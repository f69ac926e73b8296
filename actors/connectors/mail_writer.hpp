#pragma once

// Sending an approved mail reply: Gmail's messages.send in the original's
// thread, or SMTP submission (libcurl) for an IMAP mailbox, then a copy in
// its Sent folder. Called by the policy gate, which is detached, once per
// approval; blocking.

#include "actors/connectors/sources.hpp"
#include "protocol/config.hpp"

#include <string>
#include <vector>

namespace parley {

/// Sends the reply `argv` describes (as judge_action made it). Its
/// Message-ID is made from `approval_id`, so that a copy found anywhere can
/// be told apart from a second send.
write_outcome send_mail_reply(const config& cfg, const tenant_config& t,
                              const google_access& google,
                              const std::vector<std::string>& argv,
                              int64_t approval_id);

} // namespace parley
