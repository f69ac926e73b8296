#include "protocol/gmail_api.hpp"

#include "protocol/base64.hpp"
#include "protocol/google_api.hpp"
#include "protocol/imap_text.hpp"
#include "protocol/rfc822.hpp"
#include "protocol/json_fields.hpp"
#include "protocol/url.hpp"

#include <nlohmann/json.hpp>

namespace parley::gmail {

using nlohmann::json;

namespace {

const std::string base = "/gmail/v1/users/me/";

std::string metadata(const char* a, const char* b, const char* c) {
  return std::string("?format=metadata&metadataHeaders=") + a + "&metadataHeaders=" + b
         + "&metadataHeaders=" + c;
}

std::string unescape_html(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      static const std::pair<const char*, char> names[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
      bool done = false;
      for (auto& [name, c] : names)
        if (s.compare(i, std::char_traits<char>::length(name), name) == 0) {
          out += c;
          i += std::char_traits<char>::length(name) - 1;
          done = true;
          break;
        }
      if (done)
        continue;
    }
    out += s[i];
  }
  return out;
}

mail_item item_of(const json& m, const char* who_header) {
  mail_item item;
  if (!m.is_object())
    return item;
  item.snippet = unescape_html(string_field(m, "snippet"));
  auto when = string_field(m, "internalDate");
  if (!when.empty() && when.size() < 16 && when.find_first_not_of("0123456789") == std::string::npos)
    item.date_ms = std::stoll(when);
  auto payload = m.find("payload");
  if (payload == m.end() || !payload->is_object() || !payload->contains("headers")
      || !(*payload)["headers"].is_array())
    return item;
  for (auto& h : (*payload)["headers"]) {
    auto name = string_field(h, "name");
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == who_header)
      item.from = imap::display_name(string_field(h, "value"));
    else if (name == "subject")
      item.subject = imap::decode_words(string_field(h, "value"));
  }
  return item;
}

} // namespace

std::string messages_target(const std::string& query, int max) {
  return base + "messages?q=" + url_encode(query) + "&maxResults=" + std::to_string(max);
}

std::string threads_target(const std::string& query, int max) {
  return base + "threads?q=" + url_encode(query) + "&maxResults=" + std::to_string(max);
}

std::string message_target(const std::string& id) {
  return base + "messages/" + url_encode(id) + metadata("From", "Subject", "Date");
}

std::string thread_target(const std::string& id) {
  return base + "threads/" + url_encode(id) + metadata("To", "Subject", "Date");
}

listed parse_list(const std::string& body, const char* key) {
  listed out;
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object()) {
    out.error = "the list is not JSON";
    return out;
  }
  if (auto e = j.find("resultSizeEstimate"); e != j.end() && e->is_number_integer())
    out.estimate = e->get<int64_t>();
  if (auto items = j.find(key); items != j.end() && items->is_array())
    for (auto& it : *items) {
      auto id = string_field(it, "id");
      if (!id.empty())
        out.ids.push_back(id);
    }
  return out;
}

mail_item parse_message(const std::string& body, const char* who_header) {
  return item_of(json::parse(body, nullptr, false), who_header);
}

thread_end parse_thread(const std::string& body) {
  thread_end out;
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("messages") || !j["messages"].is_array()
      || j["messages"].empty())
    return out;
  auto& last = j["messages"].back();
  out.ok = true;
  out.last = item_of(last, "to");
  if (auto labels = last.find("labelIds"); labels != last.end() && labels->is_array())
    for (auto& l : *labels)
      if (l.is_string() && l.get<std::string>() == "SENT")
        out.sent_by_me = true;
  return out;
}

std::string raw_target(const std::string& id) {
  return base + "messages/" + url_encode(id) + "?format=raw";
}

mail_message parse_raw(const std::string& body, std::string& error) {
  auto j = json::parse(body, nullptr, false);
  std::string raw;
  if (!j.is_object() || !base64url_decode(string_field(j, "raw"), raw) || raw.empty()) {
    error = "Gmail's answer holds no readable message";
    return {};
  }
  auto m = rfc822::read(raw);
  m.thread_id = string_field(j, "threadId");
  return m;
}

std::string send_target() { return base + "messages/send"; }

std::string send_body(const std::string& message, const std::string& thread_id) {
  json j{{"raw", google::base64url(message)}};
  if (!thread_id.empty())
    j["threadId"] = thread_id;
  return j.dump();
}

} // namespace parley::gmail
