#include "protocol/meta_webhook.hpp"

#include "protocol/json_text.hpp"

#include "protocol/graph_api.hpp"

#include <nlohmann/json.hpp>

namespace parley::meta {

using nlohmann::json;

namespace {

std::string str(const json& j, const char* key) {
  auto i = j.find(key);
  if (i == j.end())
    return {};
  if (i->is_string())
    return i->get<std::string>();
  if (i->is_number())
    return i->dump();
  return {};
}

const json& child(const json& j, const char* key) {
  static const json empty = json::object();
  auto i = j.find(key);
  return i != j.end() && i->is_object() ? *i : empty;
}

void first_error(const json& j, int64_t& code, std::string& title) {
  auto i = j.find("errors");
  if (i == j.end() || !i->is_array() || i->empty() || !(*i)[0].is_object())
    return;
  auto& e = (*i)[0];
  if (auto c = e.find("code"); c != e.end() && c->is_number_integer())
    code = c->get<int64_t>();
  title = str(e, "title");
  if (title.empty())
    title = str(e, "message");
}

/// The text a person meant, for the message types parley can read.
std::string text_of(const json& m, const std::string& type) {
  if (type == "text")
    return str(child(m, "text"), "body");
  if (type == "interactive") {
    auto& in = child(m, "interactive");
    auto sub = str(in, "type");
    auto& reply = child(in, sub.c_str());
    // Our own Approve / Deny buttons mean the chat command they stand for.
    if (auto cmd = graph::command_of_button(str(reply, "id")); !cmd.empty())
      return cmd;
    return str(reply, "title");
  }
  if (type == "button")
    return str(child(m, "button"), "text");
  if (type == "image" || type == "video" || type == "document")
    return str(child(m, type.c_str()), "caption");
  return {};
}

webhook_item parse_message(const json& m, const std::string& pnid,
                           const json& value) {
  webhook_item item;
  item.phone_number_id = pnid;
  item.raw = storable_json(m);
  item.from = str(m, "from");
  item.message_id = str(m, "id");
  item.type = str(m, "type");
  item.external_id = pnid + ":" + item.message_id;
  if (auto c = value.find("contacts"); c != value.end() && c->is_array())
    for (auto& contact : *c)
      if (contact.is_object() && str(contact, "wa_id") == item.from)
        item.sender_name = str(child(contact, "profile"), "name");
  if (item.from.empty() || item.message_id.empty()) {
    item.reason = "message without sender or id";
    return item;
  }
  if (item.type == "reaction") {
    auto emoji = str(child(m, "reaction"), "emoji");
    item.reason = emoji.empty() ? "reaction removed" : "reaction";
    return item;
  }
  if (item.type == "unsupported" || item.type == "system"
      || item.type == "ephemeral" || item.type.empty()) {
    first_error(m, item.error_code, item.error_title);
    item.reason = "unsupported message type '" + item.type + "'";
    if (item.error_code != 0)
      item.reason += " (" + std::to_string(item.error_code) + " "
                     + item.error_title + ")";
    return item;
  }
  item.kind = item_kind::message;
  item.text = text_of(m, item.type);
  return item;
}

webhook_item parse_status(const json& s, const std::string& pnid) {
  webhook_item item;
  item.phone_number_id = pnid;
  item.raw = storable_json(s);
  item.message_id = str(s, "id");
  item.status = str(s, "status");
  item.callback = str(s, "biz_opaque_callback_data");
  item.external_id = pnid + ":status:" + item.message_id + ":" + item.status;
  first_error(s, item.error_code, item.error_title);
  if (item.message_id.empty() || item.status.empty()) {
    item.reason = "status without message id or state";
    return item;
  }
  item.kind = item_kind::status;
  return item;
}

} // namespace

parse_result parse_webhook(const std::string& body) {
  parse_result result;
  auto j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    result.error = "the body is not valid JSON";
    return result;
  }
  if (!j.is_object() || str(j, "object") != "whatsapp_business_account") {
    result.error = "not a WhatsApp Business Account notification";
    return result;
  }
  auto entries = j.find("entry");
  if (entries == j.end() || !entries->is_array()) {
    result.error = "the notification has no entry array";
    return result;
  }
  result.ok = true;
  for (auto& entry : *entries) {
    if (!entry.is_object())
      continue;
    auto changes = entry.find("changes");
    if (changes == entry.end() || !changes->is_array())
      continue;
    for (auto& change : *changes) {
      if (!change.is_object())
        continue;
      auto& value = child(change, "value");
      auto pnid = str(child(value, "metadata"), "phone_number_id");
      auto field = str(change, "field");
      if (field != "messages") {
        webhook_item item;
        item.phone_number_id = pnid;
        item.reason = "field '" + field + "' is not handled";
        item.raw = storable_json(change);
        result.items.push_back(std::move(item));
        continue;
      }
      if (auto ms = value.find("messages"); ms != value.end() && ms->is_array())
        for (auto& m : *ms)
          if (m.is_object())
            result.items.push_back(parse_message(m, pnid, value));
      if (auto ss = value.find("statuses"); ss != value.end() && ss->is_array())
        for (auto& s : *ss)
          if (s.is_object())
            result.items.push_back(parse_status(s, pnid));
    }
  }
  return result;
}

} // namespace parley::meta
