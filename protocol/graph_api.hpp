#pragma once

// Meta's Graph API for WhatsApp: request bodies for sending and marking read,
// and the answers it gives.

#include "protocol/send_result.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::graph {

/// POST {graph_url}/{version}/{phone_number_id}/messages
std::string messages_url(const std::string& graph_url,
                         const std::string& api_version,
                         const std::string& phone_number_id);

/// A text message to `to`. `callback` goes out as biz_opaque_callback_data,
/// which Meta echoes in every status webhook of the message.
std::string text_message(const std::string& to, const std::string& body,
                         const std::string& callback = {});

/// An approved message template, its body's {{1}}, {{2}}, ... filled from
/// `params` (none: a template without parameters): what may be sent outside
/// the 24-hour window; the person's reply opens the window again.
std::string template_message(const std::string& to, const std::string& name,
                             const std::string& language,
                             const std::string& callback = {},
                             const std::vector<std::string>& params = {});

/// An approval prompt with Approve / Deny reply buttons (titles in
/// `language`). Meta caps the body at 1024 characters: longer prompts go as
/// text (`fits_buttons`).
std::string approval_buttons(const std::string& to, const std::string& body,
                             int64_t approval_id, const std::string& language,
                             const std::string& callback = {});
bool fits_buttons(const std::string& body);

/// The reply-button id for deciding an approval ("approve:12"), and back: the
/// chat command a pressed button means ("approve 12"), or "" for other ids.
std::string approval_button_id(bool approve, int64_t approval_id);
std::string command_of_button(const std::string& button_id);

/// The callback data that ties a sent message to its outbox row, and back
/// (0 when the data is not ours). After a crash mid-send, a status webhook
/// carrying it proves the send happened, so the row is not sent twice.
std::string outbox_callback(int64_t outbox_id);
int64_t outbox_of_callback(const std::string& callback);

/// Marks `message_id` read and shows the typing indicator.
std::string mark_read_typing(const std::string& message_id);

using parley::send_result;

/// Classifies an HTTP answer: 2xx with a message id is sent; 429 and 5xx are
/// retried; any other status is failed with Meta's error code and title.
/// A status of 0 means no HTTP answer at all (network error): retry.
send_result classify_send(int http_status, const std::string& body);

} // namespace parley::graph
