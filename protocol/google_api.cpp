#include "protocol/google_api.hpp"

#include "protocol/json_fields.hpp"
#include "protocol/time_zone.hpp"
#include "protocol/url.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/sha.h>

namespace parley::google {

using nlohmann::json;

const char* const scopes = "https://www.googleapis.com/auth/calendar.events "
                           "https://www.googleapis.com/auth/gmail.modify";

std::string base64url(const std::string& raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(raw.data()),
                           static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  for (auto& c : out)
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=')
    out.pop_back();
  return out;
}

std::string code_challenge(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return base64url(std::string(reinterpret_cast<char*>(digest), sizeof digest));
}

std::string authorization_url(const std::string& auth_url, const std::string& client_id,
                              const std::string& redirect_uri, const std::string& state,
                              const std::string& challenge) {
  return auth_url + (auth_url.find('?') == std::string::npos ? "?" : "&")
         + "response_type=code&client_id=" + url_encode(client_id)
         + "&redirect_uri=" + url_encode(redirect_uri) + "&scope=" + url_encode(scopes)
         + "&state=" + url_encode(state) + "&code_challenge=" + url_encode(challenge)
         + "&code_challenge_method=S256&access_type=offline&prompt=consent";
}

std::string code_exchange_body(const std::string& code, const std::string& verifier,
                               const std::string& redirect_uri, const std::string& client_id,
                               const std::string& client_secret) {
  return "grant_type=authorization_code&code=" + url_encode(code) + "&code_verifier="
         + url_encode(verifier) + "&redirect_uri=" + url_encode(redirect_uri)
         + "&client_id=" + url_encode(client_id) + "&client_secret=" + url_encode(client_secret);
}

std::string refresh_body(const std::string& refresh_token, const std::string& client_id,
                         const std::string& client_secret) {
  return "grant_type=refresh_token&refresh_token=" + url_encode(refresh_token)
         + "&client_id=" + url_encode(client_id) + "&client_secret=" + url_encode(client_secret);
}

token_answer parse_token_answer(const std::string& body) {
  token_answer t;
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object()) {
    t.error = "invalid_response";
    t.description = "the token endpoint did not answer with JSON";
    return t;
  }
  t.access_token = string_field(j, "access_token");
  t.refresh_token = string_field(j, "refresh_token");
  if (auto e = j.find("expires_in"); e != j.end() && e->is_number_integer())
    t.expires_in_s = e->get<int64_t>();
  t.error = string_field(j, "error");
  t.description = string_field(j, "error_description");
  if (t.error.empty() && t.access_token.empty()) {
    t.error = "invalid_response";
    t.description = "the answer has no access_token";
  }
  return t;
}

std::string events_target(const std::string& calendar_id, int64_t from_ms, int64_t to_ms,
                          const std::string& zone) {
  return "/calendar/v3/calendars/" + url_encode(calendar_id)
         + "/events?timeMin=" + url_encode(tz::rfc3339_utc(from_ms))
         + "&timeMax=" + url_encode(tz::rfc3339_utc(to_ms))
         + "&singleEvents=true&orderBy=startTime&maxResults=250&timeZone=" + url_encode(zone);
}

events_answer parse_events(const std::string& body, const std::string& zone) {
  events_answer out;
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object()) {
    out.error = "the events answer is not JSON";
    return out;
  }
  auto items = j.find("items");
  if (items == j.end() || !items->is_array())
    return out;  // no events: Google leaves "items" out only in odd cases
  for (auto& it : *items) {
    if (!it.is_object() || string_field(it, "status") == "cancelled")
      continue;
    bool declined = false;
    if (auto a = it.find("attendees"); a != it.end() && a->is_array())
      for (auto& who : *a)
        if (who.is_object() && who.value("self", false) == true
            && string_field(who, "responseStatus") == "declined")
          declined = true;
    if (declined)
      continue;
    calendar_event e;
    e.summary = string_field(it, "summary");
    e.location = string_field(it, "location");
    e.uid = string_field(it, "id");
    e.busy = string_field(it, "transparency") != "transparent";
    auto start = it.find("start"), end = it.find("end");
    if (start == it.end() || !start->is_object())
      continue;
    auto day = string_field(*start, "date");
    if (!day.empty()) {
      if (!tz::is_date(day))
        continue;
      e.all_day = true;
      e.start_ms = tz::instant_of(zone, day, "00:00");
      auto last = end != it.end() && end->is_object() ? string_field(*end, "date") : "";
      e.end_ms = tz::instant_of(zone, tz::is_date(last) ? last : tz::add_days(day, 1), "00:00");
    } else {
      auto s = tz::parse_rfc3339(string_field(*start, "dateTime"));
      if (!s)
        continue;
      e.start_ms = *s;
      auto f = end != it.end() && end->is_object()
                 ? tz::parse_rfc3339(string_field(*end, "dateTime"))
                 : std::nullopt;
      e.end_ms = f ? *f : *s;
    }
    out.events.push_back(std::move(e));
  }
  return out;
}

std::string error_message(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    if (j["error"].is_object())
      return string_field(j["error"], "message");
    auto description = string_field(j, "error_description");
    return description.empty() ? string_field(j, "error") : description;
  }
  return {};
}

} // namespace parley::google
