#pragma once

// A reply to a mail, before any I/O: which mail a `draft:` instruction names,
// the reply as the gate stores it and the owner approves it (every word of
// it), and what the model is asked to draft.

#include "protocol/live_data.hpp"

#include <string>
#include <vector>

namespace parley {

/// The words of an instruction that can name a mail: "antwoord Jan over de
/// factuur" -> jan, factuur (lower case; filler words in Dutch and English
/// left out).
std::vector<std::string> naming_words(const std::string& instruction);

/// The mail the words name best: a word in the sender counts twice, in the
/// subject once, the newest wins a tie. -1 when no mail has any of them.
int best_match(const std::vector<mail_message>& mails,
               const std::vector<std::string>& words);

/// A reply as the owner approves it and parley sends it.
struct mail_reply {
  std::string to;           ///< bare address
  std::string subject;
  std::string in_reply_to;  ///< the original's Message-ID ("" for none)
  std::string references;
  std::string thread_id;    ///< Gmail
  std::string body;
};

/// "Re: <subject>", without stacking a second "Re:".
std::string reply_subject(const std::string& subject);

/// The reply to `m` with `body`.
mail_reply reply_to(const mail_message& m, std::string body);

/// The gate's action line (JSON) and argv of a reply, and back. A line
/// that is not a sendable reply gives `error`: no address, no text, a text
/// over 20,000 characters, a subject over 200.
std::string line_of(const mail_reply& r);
mail_reply reply_of_line(const std::string& line, std::string& error);
std::vector<std::string> argv_of(const mail_reply& r);
mail_reply reply_of_argv(const std::vector<std::string>& argv);

/// What the owner approves: the recipient, the subject and the full text.
std::string reply_summary(const mail_reply& r, const std::string& lang);

/// Asks the model for the body of a reply to `m` that follows the owner's
/// instruction; the mail is given as data, never as instructions.
llm_request draft_request(const mail_message& m, const std::string& instruction);

/// The model's draft as a body: trimmed, a "Subject:" line it added taken off.
std::string draft_body(const std::string& answer);

} // namespace parley
