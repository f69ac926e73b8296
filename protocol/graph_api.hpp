#pragma once

// Meta's Graph API for WhatsApp: request bodies for sending and marking read,
// and the answers it gives.

#include <cstdint>
#include <string>

namespace parley::graph {

/// POST {graph_url}/{version}/{phone_number_id}/messages
std::string messages_url(const std::string& graph_url,
                         const std::string& api_version,
                         const std::string& phone_number_id);

/// A text message to `to`.
std::string text_message(const std::string& to, const std::string& body);

/// Marks `message_id` read and shows the typing indicator.
std::string mark_read_typing(const std::string& message_id);

struct send_result {
  enum outcome { sent, retry, failed } kind = failed;
  std::string message_id;  ///< the outbound wamid when sent
  int64_t error_code = 0;  ///< Meta's error code, when there is one
  std::string error_title;
};

/// Classifies an HTTP answer: 2xx with a message id is sent; 429 and 5xx are
/// retried; any other status is failed with Meta's error code and title.
/// A status of 0 means no HTTP answer at all (network error): retry.
send_result classify_send(int http_status, const std::string& body);

} // namespace parley::graph
