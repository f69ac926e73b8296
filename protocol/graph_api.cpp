#include "protocol/graph_api.hpp"

#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>

namespace parley::graph {

using nlohmann::json;

std::string messages_url(const std::string& graph_url,
                         const std::string& api_version,
                         const std::string& phone_number_id) {
  return graph_url + "/" + api_version + "/" + phone_number_id + "/messages";
}

namespace {

std::string dump_with_callback(json j, const std::string& callback) {
  if (!callback.empty())
    j["biz_opaque_callback_data"] = callback;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

std::string text_message(const std::string& to, const std::string& body,
                         const std::string& callback) {
  json j = {{"messaging_product", "whatsapp"},
            {"recipient_type", "individual"},
            {"to", to},
            {"type", "text"},
            {"text", {{"preview_url", false}, {"body", body}}}};
  return dump_with_callback(std::move(j), callback);
}

std::string template_message(const std::string& to, const std::string& name,
                             const std::string& language, const std::string& callback,
                             const std::vector<std::string>& params) {
  json j = {{"messaging_product", "whatsapp"},
            {"recipient_type", "individual"},
            {"to", to},
            {"type", "template"},
            {"template", {{"name", name}, {"language", {{"code", language}}}}}};
  if (!params.empty()) {
    json values = json::array();
    for (auto& p : params)
      values.push_back({{"type", "text"}, {"text", p}});
    j["template"]["components"] = json::array({{{"type", "body"}, {"parameters", values}}});
  }
  return dump_with_callback(std::move(j), callback);
}

std::string outbox_callback(int64_t outbox_id) {
  return "parley:outbox:" + std::to_string(outbox_id);
}

int64_t outbox_of_callback(const std::string& callback) {
  static const std::string prefix = "parley:outbox:";
  if (callback.rfind(prefix, 0) != 0)
    return 0;
  auto digits = callback.substr(prefix.size());
  if (digits.empty() || digits.size() > 18
      || digits.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  return std::stoll(digits);
}

bool fits_buttons(const std::string& body) {
  size_t chars = 0; // UTF-8 code points, as Meta counts them
  for (unsigned char c : body)
    chars += (c & 0xC0) != 0x80;
  return chars > 0 && chars <= 1024;
}

std::string approval_buttons(const std::string& to, const std::string& body,
                             int64_t approval_id, const std::string& language,
                             const std::string& callback) {
  auto nl = language == "nl";
  auto button = [&](bool approve, const char* title) {
    return json{{"type", "reply"},
                {"reply", {{"id", approval_button_id(approve, approval_id)},
                           {"title", title}}}};
  };
  json j = {{"messaging_product", "whatsapp"},
            {"recipient_type", "individual"},
            {"to", to},
            {"type", "interactive"},
            {"interactive",
             {{"type", "button"},
              {"body", {{"text", body}}},
              {"action",
               {{"buttons", {button(true, nl ? "Goedkeuren" : "Approve"),
                             button(false, nl ? "Weigeren" : "Deny")}}}}}}};
  return dump_with_callback(std::move(j), callback);
}

std::string approval_button_id(bool approve, int64_t approval_id) {
  return (approve ? "approve:" : "deny:") + std::to_string(approval_id);
}

std::string command_of_button(const std::string& button_id) {
  auto colon = button_id.find(':');
  if (colon == std::string::npos)
    return {};
  auto verb = button_id.substr(0, colon);
  auto number = button_id.substr(colon + 1);
  if ((verb != "approve" && verb != "deny") || number.empty()
      || number.size() > 18
      || number.find_first_not_of("0123456789") != std::string::npos)
    return {};
  return verb + " " + number;
}

std::string mark_read_typing(const std::string& message_id) {
  json j = {{"messaging_product", "whatsapp"},
            {"status", "read"},
            {"message_id", message_id},
            {"typing_indicator", {{"type", "text"}}}};
  return j.dump();
}

send_result classify_send(int http_status, const std::string& body) {
  send_result r;
  auto j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (auto e = j.find("error"); e != j.end() && e->is_object()) {
      if (auto c = e->find("code"); c != e->end() && c->is_number_integer())
        r.error_code = c->get<int64_t>();
      auto data = e->find("error_data");
      r.error_title = string_field(*e, "error_user_title");
      if (r.error_title.empty())
        r.error_title = string_field(*e, "message");
      if (r.error_title.empty() && data != e->end() && data->is_object())
        r.error_title = string_field(*data, "details");
    }
  }
  if (http_status >= 200 && http_status < 300) {
    if (j.is_object())
      if (auto ms = j.find("messages");
          ms != j.end() && ms->is_array() && !ms->empty()
          && (*ms)[0].is_object())
        r.message_id = string_field((*ms)[0], "id");
    if (!r.message_id.empty()) {
      r.kind = send_result::sent;
      return r;
    }
    // A 2xx without a message id is a malformed answer: the send may or may
    // not have happened; retrying risks a duplicate, so record it as failed.
    r.kind = send_result::failed;
    r.error_title = "answer without a message id";
    return r;
  }
  if (http_status == 0 || http_status == 429 || http_status >= 500) {
    r.kind = send_result::retry;
    if (r.error_title.empty())
      r.error_title = http_status == 0 ? "no answer"
                                       : "HTTP " + std::to_string(http_status);
    return r;
  }
  r.kind = send_result::failed;
  if (r.error_title.empty())
    r.error_title = "HTTP " + std::to_string(http_status);
  return r;
}

} // namespace parley::graph
