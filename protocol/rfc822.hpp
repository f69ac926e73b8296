#pragma once

// Internet mail messages (RFC 5322 with MIME) through GMime (Debian's
// libgmime-3.0-dev): reading a received message for its sender, ids and
// plain-text body, and writing a reply that threads under it.

#include "protocol/live_data.hpp"

#include <string>

namespace parley::rfc822 {

/// A received message: sender, subject and ids decoded; the first
/// text/plain part that is not an attachment, decoded to UTF-8 (empty when
/// the message has none). A truncated message still gives its headers.
mail_message read(const std::string& raw);

/// What a reply needs besides its body.
struct reply_envelope {
  std::string from_name;
  std::string from_address;  ///< "": no From header (Gmail adds the account's)
  std::string to;           ///< bare address
  std::string subject;      ///< "Re: ..." already
  std::string in_reply_to;  ///< message id, without angle brackets ("" for none)
  std::string references;   ///< the original's References, as sent
  std::string message_id;   ///< the reply's own id, without angle brackets
  int64_t date_ms = 0;
};

/// The reply as sent: headers encoded where they are not ASCII, the body
/// as UTF-8 text/plain in quoted-printable, CRLF line ends. CR and LF inside
/// header values never reach the wire.
std::string write_reply(const reply_envelope& e, const std::string& body);

} // namespace parley::rfc822
