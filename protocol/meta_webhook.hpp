#pragma once

// Meta WhatsApp Cloud API webhook bodies: one body yields zero or more items,
// each a message to answer, a delivery status, or a record of why it is
// ignored. Pure: no I/O.

#include <cstdint>
#include <string>
#include <vector>

namespace parley::meta {

enum class item_kind { message, status, ignored };

struct webhook_item {
  item_kind kind = item_kind::ignored;
  std::string phone_number_id;
  std::string external_id;  ///< de-duplication key within the provider
  // -- message fields
  std::string from;
  std::string sender_name;
  std::string message_id;
  std::string type;
  std::string text;
  // -- status fields (message_id holds the outbound wamid)
  std::string status;
  int64_t error_code = 0;
  std::string error_title;
  std::string callback;  ///< biz_opaque_callback_data of our own send
  // -- ignored
  std::string reason;
  std::string raw;  ///< the item's own JSON, stored with the event
};

struct parse_result {
  bool ok = false;
  std::string error;  ///< why the body is malformed, when !ok
  std::vector<webhook_item> items;
};

/// Parses a webhook body. Malformed JSON or a body that is not a WhatsApp
/// business account notification is !ok; anything else becomes items.
parse_result parse_webhook(const std::string& body);

} // namespace parley::meta
