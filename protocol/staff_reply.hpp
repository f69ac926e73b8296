#pragma once

// Staff answering a customer from their own WhatsApp: `reply <number>
// <text>` (or `antwoord …`) to the business number is sent to that customer
// as the business. The grammar and the words staff read back, as pure code.

#include <optional>
#include <string>

namespace parley {

struct staff_reply {
  std::string number;  ///< the customer's number, digits only
  std::string text;    ///< what the customer reads
};

/// `reply +31 600000001 Ja, morgen om tien kan ook` → the number and the
/// text. The number is the first word ("+" and dashes allowed, 6 to 20
/// digits; spaces end it); the text the rest, not empty. Nothing when the
/// message is not a staff reply.
std::optional<staff_reply> staff_reply_of(const std::string& message);

/// What happened to a staff reply, as staff read it.
enum class staff_reply_outcome { sent, unknown_customer, window_closed };
std::string staff_reply_words(staff_reply_outcome outcome, const std::string& number,
                              const std::string& lang);

} // namespace parley
