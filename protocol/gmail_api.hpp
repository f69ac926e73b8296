#pragma once

// Gmail API v1 as the mail connector reads it: message and thread lists,
// message metadata (From/To, Subject, Date, snippet), and whether a thread
// ends with a message you sent.

#include "protocol/live_data.hpp"

#include <string>
#include <vector>

namespace parley::gmail {

/// GET users/me/messages?q=... (ids, newest first) and the estimate of all.
std::string messages_target(const std::string& query, int max);
std::string threads_target(const std::string& query, int max);
std::string message_target(const std::string& id);
std::string thread_target(const std::string& id);

struct listed {
  std::vector<std::string> ids;
  int64_t estimate = 0;
  std::string error;
};

/// A messages.list or threads.list answer (`key`: messages or threads);
/// Gmail leaves the key out when nothing matches.
listed parse_list(const std::string& body, const char* key);

/// A message in format=metadata: sender (or `who_header`), subject, date
/// (internalDate), snippet (HTML entities decoded).
mail_item parse_message(const std::string& body, const char* who_header);

struct thread_end {
  bool sent_by_me = false;  ///< the last message carries the SENT label
  mail_item last;           ///< its recipient (To), subject and date
  bool ok = false;
};

thread_end parse_thread(const std::string& body);

/// GET users/me/messages/{id}?format=raw: the whole message.
std::string raw_target(const std::string& id);

/// A format=raw answer: the message decoded from base64url, read by GMime,
/// with Gmail's thread id. `error` when the answer has no readable message.
mail_message parse_raw(const std::string& body, std::string& error);

/// POST users/me/messages/send.
std::string send_target();

/// The send request: the message (base64url) in the thread it answers.
std::string send_body(const std::string& message, const std::string& thread_id);

} // namespace parley::gmail
