#include "protocol/openai.hpp"

#include "protocol/json_fields.hpp"
#include "protocol/tools.hpp"

#include <nlohmann/json.hpp>

namespace parley::openai {

using nlohmann::json;

std::string build_request(const std::string& model, const llm_request& req) {
  json messages = json::array();
  if (!req.system_prompt.empty())
    messages.push_back({{"role", "system"}, {"content", req.system_prompt}});
  for (auto& m : req.messages)
    messages.push_back({{"role", m.role}, {"content", m.content}});
  // A picture with the person's last message: its text and the image, as
  // content parts (for a model that sees).
  if (!req.image_url.empty() && !messages.empty() && messages.back()["role"] == "user") {
    auto text = messages.back()["content"];
    messages.back()["content"] = json::array(
      {{{"type", "text"}, {"text", text}},
       {{"type", "image_url"}, {"image_url", {{"url", req.image_url}}}}});
  }
  for (auto& round : req.rounds) {
    // Each earlier round: the model's calls, then one result for each.
    json calls = json::array();
    for (auto& c : round.calls)
      calls.push_back({{"id", c.id},
                       {"type", "function"},
                       {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    messages.push_back({{"role", "assistant"}, {"content", nullptr},
                        {"tool_calls", std::move(calls)}});
    for (size_t i = 0; i < round.calls.size(); ++i)
      messages.push_back({{"role", "tool"},
                          {"tool_call_id", round.calls[i].id},
                          {"content", i < round.results.size() ? round.results[i] : ""}});
  }
  json body = {{"model", model}, {"messages", std::move(messages)}};
  if (!req.tools.empty())
    body["tools"] = tools::schemas(req.tools);
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
    auto msg = e->is_object() ? string_field(*e, "message") : e->dump();
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
  if (auto content = msg->find("content");
      content != msg->end() && content->is_string())
    r.content = content->get<std::string>();
  if (auto calls = msg->find("tool_calls");
      calls != msg->end() && calls->is_array()) {
    for (auto& c : *calls) {
      auto fn = c.is_object() ? c.find("function") : c.end();
      if (fn == c.end() || !fn->is_object())
        continue;
      tool_call call;
      call.id = string_field(c, "id");
      call.name = string_field(*fn, "name");
      // Some servers send the arguments as an object rather than JSON text.
      if (auto a = fn->find("arguments"); a != fn->end())
        call.arguments = a->is_string() ? a->get<std::string>()
                                        : a->dump(-1, ' ', false,
                                                  json::error_handler_t::replace);
      if (!call.name.empty())
        r.calls.push_back(std::move(call));
    }
  }
  if (auto usage = j.find("usage"); usage != j.end() && usage->is_object()) {
    auto count = [&](const char* key) -> int64_t {
      auto v = usage->find(key);
      return v != usage->end() && v->is_number_integer() ? v->get<int64_t>() : 0;
    };
    r.prompt_tokens = count("prompt_tokens");
    r.completion_tokens = count("completion_tokens");
  }
  if (r.content.empty() && r.calls.empty()) {
    r.error = "the message has no text content";
    return r;
  }
  r.ok = true;
  return r;
}

} // namespace parley::openai
