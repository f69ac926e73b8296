#define CAF_SUITE meta_webhook
#include "protocol/meta_webhook.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace parley;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(PARLEY_FIXTURES) + "/meta/" + name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

CAF_TEST(a text message yields its sender name and text) {
  auto r = meta::parse_webhook(fixture("text.json"));
  CAF_REQUIRE(r.ok);
  CAF_REQUIRE_EQUAL(r.items.size(), 1u);
  auto& m = r.items[0];
  CAF_CHECK(m.kind == meta::item_kind::message);
  CAF_CHECK_EQUAL(m.phone_number_id, "1122334455667");
  CAF_CHECK_EQUAL(m.from, "972987654321");
  CAF_CHECK_EQUAL(m.sender_name, "Test Name");
  CAF_CHECK_EQUAL(m.text, "Body Text");
  CAF_CHECK_EQUAL(m.external_id, "1122334455667:wamid.xyzxyz");
}

CAF_TEST(a tapped button and a list row read as their titles) {
  auto b = meta::parse_webhook(fixture("interactive_button_reply.json"));
  CAF_REQUIRE_EQUAL(b.items.size(), 1u);
  CAF_CHECK_EQUAL(b.items[0].text, "title");
  auto l = meta::parse_webhook(fixture("interactive_list_reply.json"));
  CAF_REQUIRE_EQUAL(l.items.size(), 1u);
  CAF_CHECK(l.items[0].kind == meta::item_kind::message);
  CAF_CHECK(!l.items[0].text.empty());
}

CAF_TEST(media messages carry their caption or no text) {
  auto d = meta::parse_webhook(fixture("document.json"));
  CAF_REQUIRE_EQUAL(d.items.size(), 1u);
  CAF_CHECK_EQUAL(d.items[0].text, "caption");
  auto a = meta::parse_webhook(fixture("audio_voice.json"));
  CAF_CHECK(a.items.at(0).kind == meta::item_kind::message);
  CAF_CHECK_EQUAL(a.items.at(0).type, "audio");
  CAF_CHECK_EQUAL(a.items.at(0).text, "");
}

CAF_TEST(reactions and unsupported messages are ignored with a reason) {
  // CAF_CHECK_EQUAL keeps references: hold the results in locals.
  auto added = meta::parse_webhook(fixture("reaction.json"));
  CAF_CHECK_EQUAL(added.items.at(0).reason, "reaction");
  auto removed = meta::parse_webhook(fixture("reaction_removed.json"));
  CAF_CHECK_EQUAL(removed.items.at(0).reason, "reaction removed");
  auto u = meta::parse_webhook(fixture("unsupported_with_errors.json"));
  CAF_CHECK(u.items.at(0).kind == meta::item_kind::ignored);
  CAF_CHECK_EQUAL(u.items.at(0).error_code, 131051);
}

CAF_TEST(a failed status carries metas error code and title) {
  auto s = meta::parse_webhook(fixture("status_failed.json"));
  auto& st = s.items.at(0);
  CAF_CHECK(st.kind == meta::item_kind::status);
  CAF_CHECK_EQUAL(st.status, "failed");
  CAF_CHECK_EQUAL(st.error_code, 130472);
  CAF_CHECK_EQUAL(st.error_title, "User's number is part of an experiment");
  CAF_CHECK_EQUAL(st.external_id, "1122334455667:status:wamid.xyzxyz:failed");
}

CAF_TEST(a status carries back the callback data of our own send) {
  auto body = fixture("status_sent.json");
  auto at = body.find("\"status\"");
  body.insert(at, "\"biz_opaque_callback_data\": \"parley:outbox:9\", ");
  auto s = meta::parse_webhook(body);
  CAF_REQUIRE(s.ok);
  CAF_CHECK_EQUAL(s.items.at(0).callback, "parley:outbox:9");
  CAF_CHECK_EQUAL(meta::parse_webhook(fixture("status_sent.json")).items.at(0).callback, "");
}

CAF_TEST(every meta fixture parses into at least one item) {
  for (auto& entry : std::filesystem::directory_iterator(
         std::string(PARLEY_FIXTURES) + "/meta")) {
    auto r = meta::parse_webhook(fixture(entry.path().filename().string()));
    CAF_CHECK(r.ok);
    CAF_CHECK(!r.items.empty());
  }
}

CAF_TEST(malformed bodies are rejected with a reason) {
  CAF_CHECK(!meta::parse_webhook("{").ok);
  CAF_CHECK(!meta::parse_webhook("[1,2]").ok);
  CAF_CHECK(!meta::parse_webhook(R"({"object":"page","entry":[]})").ok);
  CAF_CHECK(!meta::parse_webhook(R"({"object":"whatsapp_business_account"})").ok);
  // Wrong types inside a valid envelope are skipped, not crashed on.
  auto r = meta::parse_webhook(
    R"({"object":"whatsapp_business_account","entry":[1,{"changes":[{"field":"messages","value":{"messages":[{"from":5,"id":null}]}}]}]})");
  CAF_CHECK(r.ok);
  CAF_REQUIRE_EQUAL(r.items.size(), 1u);
  CAF_CHECK(r.items[0].kind == meta::item_kind::ignored);
}
