#include "protocol/openai.hpp"

#include <nlohmann/json.hpp>

namespace parley::openai {

using nlohmann::json;

std::string build_request(const std::string& model, const llm_request& req) {
  json messages = json::array();
  if (!req.system_prompt.empty())
    messages.push_back({{"role", "system"}, {"content", req.system_prompt}});
  for (auto& m : req.messages)
    messages.push_back({{"role", m.role}, {"content", m.content}});
  json body = {{"model", model}, {"messages", std::move(messages)}};
  // Replacement characters rather than an exception on invalid UTF-8.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

reply parse_response(const std::string& body) {
  reply r;
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    r.error = "the response is not a JSON object";
    return r;
  }
  if (auto e = j.find("error"); e != j.end() && !e->is_null()) {
    auto msg = e->is_object() ? e->value("message", std::string{}) : e->dump();
    r.error = "the server returned an error: " + msg;
    return r;
  }
  auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array() || choices->empty()
      || !(*choices)[0].is_object()) {
    r.error = "the response has no choices";
    return r;
  }
  auto& choice = (*choices)[0];
  auto msg = choice.find("message");
  if (msg == choice.end() || !msg->is_object()) {
    r.error = "the first choice has no message";
    return r;
  }
  auto content = msg->find("content");
  if (content == msg->end() || !content->is_string()
      || content->get_ref<const std::string&>().empty()) {
    r.error = "the message has no text content";
    return r;
  }
  r.ok = true;
  r.content = content->get<std::string>();
  return r;
}

} // namespace parley::openai
