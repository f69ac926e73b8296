#pragma once

// The mail a reply is about (the mail connector's topic `thread`): the
// recent inbox read, the mail the instruction's words name best chosen, and
// that one read whole. Blocking, in the mail connector's thread.

#include "protocol/config.hpp"
#include "protocol/live_data.hpp"

#include <functional>
#include <string>

namespace parley {

/// One IMAP command on a mailbox -> the answer; "" after a failure, which
/// the caller records (and `failure` then names).
using imap_command = std::function<std::string(const std::string& mailbox, const std::string& command)>;

/// One Gmail API GET -> the body; "" after a failure, recorded likewise.
using gmail_get = std::function<std::string(const std::string& target)>;

/// A report with the named mail in `mails`, or none when no recent mail has
/// any of the words; `failing` when the server failed.
connector_report imap_thread(const imap_command& run, const std::string& failure,
                             const mail_source& mail, const std::string& zone,
                             const std::string& instruction);
connector_report gmail_thread(const gmail_get& get, const std::string& failure,
                              const std::string& instruction);

} // namespace parley
