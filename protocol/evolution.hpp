#pragma once

// Evolution API v2 (a WhatsApp Web bridge): its webhook events, WhatsApp JIDs,
// and the sendText request. Pure: no I/O.

#include "protocol/send_result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::evolution {

/// What a JID names: a person (`@s.whatsapp.net`), a person by their
/// privacy id (`@lid`), a group (`@g.us`), status updates, a newsletter.
enum class jid_kind { person, lid, group, broadcast, newsletter, unknown };

jid_kind kind_of(std::string_view jid);

/// The user part of a JID without its device suffix:
/// "31612345678:12@s.whatsapp.net" → "31612345678".
std::string user_of(std::string_view jid);

enum class item_kind { message, connection, qrcode, ignored };

struct webhook_item {
  item_kind kind = item_kind::ignored;
  std::string instance;
  std::string external_id;  ///< de-duplication key: instance:message id
  std::string bot_jid;      ///< the instance's own number (envelope `sender`)
  // -- message fields
  std::string chat;         ///< remoteJid: the group or the person
  bool group = false;
  std::string sender;       ///< the author's number, or their JID when no number is known
  std::string sender_jid;
  std::string sender_name;  ///< pushName
  std::string message_id;
  std::string type;         ///< conversation, extendedTextMessage, imageMessage, ...
  std::string text;         ///< text or caption; may be empty
  int64_t timestamp = 0;    ///< messageTimestamp, seconds
  std::vector<std::string> mentions;  ///< mentioned JIDs
  std::string quoted_id;    ///< the message this one replies to
  std::string quoted_sender;///< that message's author (JID)
  // -- connection.update / qrcode.updated
  std::string state;        ///< open, connecting, close
  std::string qr_code;      ///< the QR text to render
  std::string pairing_code;
  // -- ignored
  std::string reason;
  std::string raw;          ///< the item's own JSON
};

struct parse_result {
  bool ok = false;
  std::string error;  ///< why the body is malformed, when !ok
  std::vector<webhook_item> items;
};

/// Parses a webhook body: `messages.upsert` (one message or an array),
/// `connection.update` and `qrcode.updated`; other events are ignored items.
/// Malformed JSON, or an object without `event`, is !ok.
parse_result parse_webhook(const std::string& body);

/// POST {base_url}/message/sendText/{instance}
std::string send_text_url(const std::string& base_url, const std::string& instance);

/// A text to `number` (a phone number or a group JID), quoting the message
/// it answers and mentioning the people it addresses, when given.
std::string send_text_body(const std::string& number, const std::string& text,
                           const std::string& quoted_id,
                           const std::string& quoted_text,
                           const std::vector<std::string>& mentioned);

/// 2xx with `key.id` is sent; 429, 5xx and no answer (status 0) are retried;
/// other statuses fail with Evolution's message.
send_result classify_send(int http_status, const std::string& body);

// -- instance management (parley evolution connect|status) ------------------

/// POST {base_url}/instance/create: a Baileys instance with a QR code, its
/// webhook pointed at parley and carrying parley's `apikey` header.
std::string create_instance_body(const std::string& instance,
                                 const std::string& webhook_url,
                                 const std::string& api_key);

/// POST {base_url}/webhook/set/{instance}: the same webhook for an
/// existing instance.
std::string set_webhook_body(const std::string& webhook_url,
                             const std::string& api_key);

/// Whether GET /instance/fetchInstances lists `instance` (v2 `name`, or v1
/// `instance.instanceName`).
bool lists_instance(const std::string& body, const std::string& instance);

/// GET /instance/connect/{instance}: the QR text and the pairing code.
struct connect_codes {
  std::string code;          ///< the text to render as a QR code
  std::string pairing_code;
};
connect_codes parse_connect(const std::string& body);

/// GET /instance/connectionState/{instance}: open, connecting, close; "" when
/// the body says nothing.
std::string parse_connection_state(const std::string& body);

} // namespace parley::evolution
