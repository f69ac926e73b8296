#include "protocol/evolution.hpp"

#include "protocol/json_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace parley::evolution {

using nlohmann::json;

namespace {

const json& child(const json& j, const char* key) {
  static const json null;
  if (!j.is_object())
    return null;
  auto i = j.find(key);
  return i == j.end() ? null : *i;
}

std::string str(const json& j, const char* key) {
  auto& v = child(j, key);
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_number_integer())
    return std::to_string(v.get<int64_t>());
  return {};
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

/// "MESSAGES_UPSERT" (v1) and "messages.upsert" (v2) name the same event.
std::string event_name(std::string e) {
  for (auto& c : e)
    c = c == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

/// Wrappers that carry the real message inside (disappearing, view-once,
/// captioned documents, edits).
const json& unwrap(const json& message) {
  const json* m = &message;
  for (int depth = 0; depth < 4; ++depth) {
    bool found = false;
    for (auto key : {"ephemeralMessage", "viewOnceMessage", "viewOnceMessageV2",
                     "documentWithCaptionMessage", "editedMessage"}) {
      auto& inner = child(child(*m, key), "message");
      if (inner.is_object()) {
        m = &inner;
        found = true;
        break;
      }
    }
    if (!found)
      break;
  }
  return *m;
}

/// The first content key of a message, ignoring metadata keys.
std::string content_type(const json& message) {
  if (!message.is_object())
    return {};
  for (auto& [key, value] : message.items())
    if (key != "messageContextInfo" && key != "base64" && !value.is_null())
      return key;
  return {};
}

std::string text_of(const json& message, const std::string& type) {
  if (type == "conversation")
    return str(message, "conversation");
  if (type == "extendedTextMessage")
    return str(child(message, "extendedTextMessage"), "text");
  if (type == "imageMessage" || type == "videoMessage" || type == "documentMessage")
    return str(child(message, type.c_str()), "caption");
  if (type == "buttonsResponseMessage")
    return str(child(message, type.c_str()), "selectedDisplayText");
  if (type == "listResponseMessage")
    return str(child(message, type.c_str()), "title");
  return {};
}

/// contextInfo: Evolution lifts it to `data.contextInfo`; older versions
/// leave it inside the content.
const json& context_of(const json& data, const json& message, const std::string& type) {
  auto& lifted = child(data, "contextInfo");
  if (lifted.is_object())
    return lifted;
  return child(child(message, type.c_str()), "contextInfo");
}

webhook_item ignored(webhook_item item, std::string reason) {
  item.kind = item_kind::ignored;
  item.reason = std::move(reason);
  return item;
}

webhook_item parse_message(const json& data, webhook_item item) {
  auto& key = child(data, "key");
  item.message_id = str(key, "id");
  item.chat = str(key, "remoteJid");
  if (!item.message_id.empty())
    item.external_id = item.instance + ":" + item.message_id;
  if (child(key, "fromMe").is_boolean() && child(key, "fromMe").get<bool>())
    return ignored(std::move(item), "sent by this instance (fromMe)");
  if (item.chat.empty() || item.message_id.empty())
    return ignored(std::move(item), "message without key.remoteJid or key.id");
  auto chat_kind = kind_of(item.chat);
  if (chat_kind == jid_kind::broadcast)
    return ignored(std::move(item), "status update (status@broadcast)");
  if (chat_kind == jid_kind::newsletter)
    return ignored(std::move(item), "newsletter");
  if (chat_kind == jid_kind::unknown)
    return ignored(std::move(item), "unknown chat " + item.chat);
  item.group = chat_kind == jid_kind::group;
  // The author: in groups the participant; prefer the phone-number JID when
  // the bridge gives a privacy id (@lid) together with the alternative.
  auto participant = str(key, "participant");
  auto participant_alt = str(key, "participantAlt");
  auto remote_alt = str(key, "remoteJidAlt");
  if (item.group) {
    item.sender_jid = kind_of(participant) == jid_kind::lid && !participant_alt.empty()
                        ? participant_alt
                        : !participant.empty() ? participant : participant_alt;
    if (item.sender_jid.empty())
      item.sender_jid = str(data, "participant");
    if (item.sender_jid.empty())
      return ignored(std::move(item), "group message without key.participant");
  } else {
    item.sender_jid = kind_of(item.chat) == jid_kind::lid && !remote_alt.empty()
                        ? remote_alt
                        : item.chat;
  }
  item.sender = kind_of(item.sender_jid) == jid_kind::person ? user_of(item.sender_jid)
                                                            : item.sender_jid;
  item.sender_name = str(data, "pushName");
  if (auto& ts = child(data, "messageTimestamp"); ts.is_number_integer())
    item.timestamp = ts.get<int64_t>();
  else if (ts.is_string())
    item.timestamp = std::atoll(ts.get_ref<const std::string&>().c_str());
  auto& message = unwrap(child(data, "message"));
  item.type = content_type(message);
  if (item.type.empty())
    item.type = str(data, "messageType");
  if (item.type == "reactionMessage")
    return ignored(std::move(item), "reaction");
  if (item.type == "protocolMessage")
    return ignored(std::move(item), "protocol message (revoke or edit)");
  if (item.type.empty())
    return ignored(std::move(item), "message without content");
  item.text = text_of(message, item.type);
  auto& ctx = context_of(data, message, item.type);
  if (auto& mentioned = child(ctx, "mentionedJid"); mentioned.is_array())
    for (auto& jid : mentioned)
      if (jid.is_string())
        item.mentions.push_back(jid.get<std::string>());
  item.quoted_id = str(ctx, "stanzaId");
  item.quoted_sender = str(ctx, "participant");
  item.kind = item_kind::message;
  return item;
}

} // namespace

jid_kind kind_of(std::string_view jid) {
  if (jid == "status@broadcast" || ends_with(jid, "@broadcast"))
    return jid_kind::broadcast;
  if (ends_with(jid, "@g.us"))
    return jid_kind::group;
  if (ends_with(jid, "@s.whatsapp.net") || ends_with(jid, "@c.us"))
    return jid_kind::person;
  if (ends_with(jid, "@lid"))
    return jid_kind::lid;
  if (ends_with(jid, "@newsletter"))
    return jid_kind::newsletter;
  return jid_kind::unknown;
}

std::string user_of(std::string_view jid) {
  auto at = jid.find('@');
  auto user = jid.substr(0, at);
  return std::string(user.substr(0, user.find(':')));
}

parse_result parse_webhook(const std::string& body) {
  parse_result out;
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    out.error = "the body is not valid JSON";
    return out;
  }
  if (!j.is_object() || !child(j, "event").is_string()) {
    out.error = "not an Evolution API event (no \"event\")";
    return out;
  }
  out.ok = true;
  auto event = event_name(str(j, "event"));
  webhook_item base;
  base.instance = str(j, "instance");
  base.bot_jid = str(j, "sender");
  auto& data = child(j, "data");
  if (event == "messages.upsert") {
    // One message, or (older bridges) an array of them.
    std::vector<const json*> messages;
    if (data.is_array())
      for (auto& d : data)
        messages.push_back(&d);
    else
      messages.push_back(&data);
    for (auto* d : messages) {
      auto item = base;
      // A picture's or voice note's bytes (webhook_base64) are not kept:
      // parley asks the bridge for them when it reads the message.
      if (d->is_object() && child(*d, "message").contains("base64")) {
        auto slim = *d;
        slim["message"].erase("base64");
        item.raw = storable_json(slim);
      } else {
        item.raw = storable_json(*d);
      }
      out.items.push_back(d->is_object()
                            ? parse_message(*d, std::move(item))
                            : ignored(std::move(item), "messages.upsert without data"));
    }
    return out;
  }
  auto item = base;
  item.raw = storable_json(data);
  if (event == "connection.update") {
    item.kind = item_kind::connection;
    item.state = str(data, "state");
    if (item.bot_jid.empty())
      item.bot_jid = str(data, "wuid");
  } else if (event == "qrcode.updated") {
    item.kind = item_kind::qrcode;
    auto& qr = child(data, "qrcode");
    item.qr_code = str(qr, "code");
    item.pairing_code = str(qr, "pairingCode");
  } else {
    item = ignored(std::move(item), "event " + event + " is not handled");
  }
  out.items.push_back(std::move(item));
  return out;
}

std::string send_text_url(const std::string& base_url, const std::string& instance) {
  return base_url + "/message/sendText/" + instance;
}

std::string send_text_body(const std::string& number, const std::string& text,
                           const std::string& quoted_id,
                           const std::string& quoted_text,
                           const std::vector<std::string>& mentioned) {
  json j = {{"number", number}, {"text", text}};
  if (!quoted_id.empty())
    j["quoted"] = {{"key", {{"id", quoted_id}}},
                   {"message", {{"conversation", quoted_text}}}};
  if (!mentioned.empty())
    j["mentioned"] = mentioned;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

send_result classify_send(int http_status, const std::string& body) {
  send_result r;
  auto j = json::parse(body, nullptr, false);
  if (http_status >= 200 && http_status < 300) {
    r.message_id = str(child(j, "key"), "id");
    if (!r.message_id.empty()) {
      r.kind = send_result::sent;
      return r;
    }
    // Sent or not is unknown: a retry risks a duplicate in the chat.
    r.kind = send_result::failed;
    r.error_title = "answer without key.id";
    return r;
  }
  // {"status":400,"error":"Bad Request","response":{"message":[...]}}
  auto& message = child(child(j, "response"), "message");
  if (message.is_array() && !message.empty())
    r.error_title = message[0].is_string() ? message[0].get<std::string>() : message[0].dump();
  else if (message.is_string())
    r.error_title = message.get<std::string>();
  if (r.error_title.empty())
    r.error_title = str(j, "error");
  if (http_status == 0 || http_status == 429 || http_status >= 500) {
    r.kind = send_result::retry;
  } else {
    r.kind = send_result::failed;
  }
  if (r.error_title.empty())
    r.error_title = http_status == 0 ? "no answer" : "HTTP " + std::to_string(http_status);
  r.error_code = http_status;
  return r;
}

std::string create_instance_body(const std::string& instance,
                                 const std::string& webhook_url,
                                 const std::string& api_key) {
  json j = {{"instanceName", instance},
            {"integration", "WHATSAPP-BAILEYS"},
            {"qrcode", true},
            {"webhook", json::parse(set_webhook_body(webhook_url, api_key))["webhook"]}};
  return j.dump();
}

std::string set_webhook_body(const std::string& webhook_url,
                             const std::string& api_key) {
  json j = {{"webhook",
             {{"enabled", true},
              {"url", webhook_url},
              {"byEvents", false},
              {"base64", false},
              {"headers", {{"apikey", api_key}}},
              {"events", {"MESSAGES_UPSERT", "CONNECTION_UPDATE", "QRCODE_UPDATED"}}}}};
  return j.dump();
}

bool lists_instance(const std::string& body, const std::string& instance) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_array())
    return false;
  for (auto& i : j)
    if (str(i, "name") == instance || str(child(i, "instance"), "instanceName") == instance)
      return true;
  return false;
}

connect_codes parse_connect(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  auto& qr = child(j, "qrcode").is_object() ? child(j, "qrcode") : j;
  return {str(qr, "code"), str(qr, "pairingCode")};
}

std::string parse_connection_state(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  auto state = str(child(j, "instance"), "state");
  return state.empty() ? str(j, "state") : state;
}

} // namespace parley::evolution
