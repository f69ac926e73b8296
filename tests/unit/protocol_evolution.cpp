#define CAF_SUITE evolution
#include "protocol/evolution.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace parley;
using namespace parley::evolution;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A fixture from tests/fixtures/evolution (public examples and our own).
std::string fixture(const std::string& name) {
  return read(std::string(PARLEY_FIXTURES) + "/evolution/" + name);
}

webhook_item only(const std::string& name) {
  auto r = parse_webhook(fixture(name));
  CAF_REQUIRE(r.ok);
  CAF_REQUIRE_EQUAL(r.items.size(), 1u);
  return r.items[0];
}

} // namespace

CAF_TEST(jids are told apart by their server) {
  CAF_CHECK(kind_of("31612345678@s.whatsapp.net") == jid_kind::person);
  CAF_CHECK(kind_of("120363025246125486@g.us") == jid_kind::group);
  CAF_CHECK(kind_of("205748383512345@lid") == jid_kind::lid);
  CAF_CHECK(kind_of("status@broadcast") == jid_kind::broadcast);
  CAF_CHECK(kind_of("120363111111111111@newsletter") == jid_kind::newsletter);
  CAF_CHECK(kind_of("31612345678") == jid_kind::unknown);
  CAF_CHECK_EQUAL(user_of("31612345678:12@s.whatsapp.net"), "31612345678");
  CAF_CHECK_EQUAL(user_of("120363025246125486@g.us"), "120363025246125486");
}

CAF_TEST(every evolution fixture parses) {
  for (auto dir : {std::string(PARLEY_FIXTURES)}) {
    for (auto& entry : std::filesystem::directory_iterator(dir + "/evolution")) {
      if (entry.path().extension() != ".json")
        continue;
      auto r = parse_webhook(read(entry.path().string()));
      CAF_CHECK(r.ok);
      CAF_CHECK_EQUAL(r.items.size(), 1u);
      for (auto& item : r.items)
        if (item.kind == item_kind::ignored)
          CAF_CHECK(!item.reason.empty());
    }
  }
}

CAF_TEST(a direct text reads its sender text and dedup key) {
  auto m = only("text_conversation.json");
  CAF_CHECK(m.kind == item_kind::message);
  CAF_CHECK(!m.group);
  CAF_CHECK_EQUAL(m.chat, "5511900000001@s.whatsapp.net");
  CAF_CHECK_EQUAL(m.sender, "5511900000001");
  CAF_CHECK_EQUAL(m.sender_name, "Contato Teste");
  CAF_CHECK_EQUAL(m.text, "Olá, tudo bem?");
  CAF_CHECK_EQUAL(m.external_id, "inst-test:3EB0EVTEXT0001");
  CAF_CHECK_EQUAL(m.timestamp, 1790000000);
}

CAF_TEST(wrapped and pre 2.2 texts are unwrapped) {
  auto m = only("ephemeral_extended_text.json");
  CAF_CHECK(m.kind == item_kind::message);
  CAF_CHECK_EQUAL(m.type, "extendedTextMessage");
  CAF_CHECK_EQUAL(m.text, "mensagem temporária");
}

CAF_TEST(media without a caption is a message without text) {
  auto m = only("image_base64.json");
  CAF_CHECK(m.kind == item_kind::message);
  CAF_CHECK_EQUAL(m.type, "imageMessage");
  CAF_CHECK_EQUAL(m.text, "");
}

CAF_TEST(reactions revokes own messages and status updates are ignored with a reason) {
  CAF_CHECK_EQUAL(only("reaction.json").reason, "reaction");
  CAF_CHECK_EQUAL(only("reaction_removed.json").reason, "reaction");
  CAF_CHECK_EQUAL(only("revoke_protocol.json").reason, "protocol message (revoke or edit)");
  CAF_CHECK_EQUAL(only("from_me.json").reason, "sent by this instance (fromMe)");
  CAF_CHECK_EQUAL(only("status_broadcast.json").reason, "status update (status@broadcast)");
}

CAF_TEST(a group mention names the group the author and the mentioned bot) {
  auto m = only("group_mention.json");
  CAF_CHECK(m.kind == item_kind::message);
  CAF_CHECK(m.group);
  CAF_CHECK_EQUAL(m.chat, "120363025246125486@g.us");
  CAF_CHECK_EQUAL(m.sender, "31611111111");
  CAF_CHECK_EQUAL(m.sender_name, "Anna");
  CAF_CHECK_EQUAL(m.bot_jid, "31600000001@s.whatsapp.net");
  CAF_REQUIRE_EQUAL(m.mentions.size(), 1u);
  CAF_CHECK_EQUAL(m.mentions[0], "31600000001@s.whatsapp.net");
  CAF_CHECK_EQUAL(m.text, "@31600000001 wat staat er morgen op de planning?");
}

CAF_TEST(a quoted group reply by a lid author uses the phone jid) {
  auto m = only("group_quoted_lid.json");
  CAF_CHECK_EQUAL(m.sender_jid, "31622222222@s.whatsapp.net");
  CAF_CHECK_EQUAL(m.sender, "31622222222");
  CAF_CHECK_EQUAL(m.quoted_id, "BAE5F00D00000001");
  CAF_CHECK_EQUAL(m.quoted_sender, "31600000001@s.whatsapp.net");
  CAF_CHECK_EQUAL(m.timestamp, 1795000060);
}

CAF_TEST(connection and qr code events carry state and codes) {
  auto c = only("connection_open.json");
  CAF_CHECK(c.kind == item_kind::connection);
  CAF_CHECK_EQUAL(c.state, "open");
  CAF_CHECK_EQUAL(c.bot_jid, "31600000001@s.whatsapp.net");
  auto q = only("qrcode_updated.json");
  CAF_CHECK(q.kind == item_kind::qrcode);
  CAF_CHECK_EQUAL(q.pairing_code, "WZYEH1YY");
  CAF_CHECK(q.qr_code.rfind("2@", 0) == 0);
}

CAF_TEST(malformed bodies are refused and odd ones ignored) {
  CAF_CHECK(!parse_webhook("{").ok);
  CAF_CHECK(!parse_webhook("[]").ok);
  CAF_CHECK(!parse_webhook(R"({"data":{}})").ok);
  auto r = parse_webhook(R"({"event":"MESSAGES_UPSERT","instance":"i","data":[{"key":{"remoteJid":"1@s.whatsapp.net","id":"A"},"message":{"conversation":"x"}},7]})");
  CAF_REQUIRE(r.ok);
  CAF_REQUIRE_EQUAL(r.items.size(), 2u);
  CAF_CHECK(r.items[0].kind == item_kind::message);
  CAF_CHECK(r.items[1].kind == item_kind::ignored);
  auto other = parse_webhook(R"({"event":"presence.update","instance":"i","data":{}})");
  CAF_REQUIRE_EQUAL(other.items.size(), 1u);
  CAF_CHECK_EQUAL(other.items[0].reason, "event presence.update is not handled");
  auto no_key = parse_webhook(R"({"event":"messages.upsert","data":{"message":{"conversation":"x"}}})");
  CAF_CHECK_EQUAL(no_key.items[0].reason, "message without key.remoteJid or key.id");
}

CAF_TEST(send text quotes and mentions and its answers are classified) {
  auto j = nlohmann::json::parse(
    send_text_body("120363025246125486@g.us", "Om 10:00.", "3EB0GRPQUOTE0001",
                   "en om hoe laat?", {"31622222222"}));
  CAF_CHECK_EQUAL(j["number"], "120363025246125486@g.us");
  CAF_CHECK_EQUAL(j["quoted"]["key"]["id"], "3EB0GRPQUOTE0001");
  CAF_CHECK_EQUAL(j["quoted"]["message"]["conversation"], "en om hoe laat?");
  CAF_CHECK_EQUAL(j["mentioned"][0], "31622222222");
  auto plain = nlohmann::json::parse(send_text_body("5511900000001", "hi", "", "", {}));
  CAF_CHECK(plain.find("quoted") == plain.end());
  CAF_CHECK(plain.find("mentioned") == plain.end());
  CAF_CHECK_EQUAL(send_text_url("http://h:9", "inst"), "http://h:9/message/sendText/inst");
  auto sent = classify_send(201, R"({"key":{"remoteJid":"x","fromMe":true,"id":"BAE5"},"status":"PENDING"})");
  CAF_CHECK(sent.kind == send_result::sent);
  CAF_CHECK_EQUAL(sent.message_id, "BAE5");
  auto bad = classify_send(400, R"({"status":400,"error":"Bad Request","response":{"message":[{"exists":false,"number":"123"}]}})");
  CAF_CHECK(bad.kind == send_result::failed);
  CAF_CHECK(bad.error_title.find("exists") != std::string::npos);
  CAF_CHECK(classify_send(500, "oops").kind == send_result::retry);
  CAF_CHECK(classify_send(429, "{}").kind == send_result::retry);
  CAF_CHECK(classify_send(0, "").kind == send_result::retry);
  CAF_CHECK(classify_send(201, "{}").kind == send_result::failed);
}

CAF_TEST(instance management bodies and answers) {
  auto create = nlohmann::json::parse(
    create_instance_body("whatsapp-agent", "http://10.0.0.2:8080/webhooks/evolution", "k1"));
  CAF_CHECK_EQUAL(create["instanceName"], "whatsapp-agent");
  CAF_CHECK_EQUAL(create["qrcode"], true);
  CAF_CHECK_EQUAL(create["webhook"]["url"], "http://10.0.0.2:8080/webhooks/evolution");
  CAF_CHECK_EQUAL(create["webhook"]["headers"]["apikey"], "k1");
  CAF_CHECK_EQUAL(create["webhook"]["events"].size(), 3u);
  CAF_CHECK(lists_instance(R"([{"id":"1","name":"whatsapp-agent","connectionStatus":"close"}])",
                           "whatsapp-agent"));
  CAF_CHECK(lists_instance(R"([{"instance":{"instanceName":"a","status":"open"}}])", "a"));
  CAF_CHECK(!lists_instance(R"([{"name":"other"}])", "whatsapp-agent"));
  CAF_CHECK(!lists_instance(R"({"error":"x"})", "whatsapp-agent"));
  auto codes = parse_connect(R"({"pairingCode":"WZYEH1YY","code":"2@abc","count":1})");
  CAF_CHECK_EQUAL(codes.code, "2@abc");
  CAF_CHECK_EQUAL(codes.pairing_code, "WZYEH1YY");
  CAF_CHECK_EQUAL(parse_connect(R"({"qrcode":{"code":"2@x","pairingCode":"P"}})").code, "2@x");
  CAF_CHECK_EQUAL(parse_connection_state(R"({"instance":{"instanceName":"a","state":"open"}})"), "open");
  CAF_CHECK_EQUAL(parse_connection_state("oops"), "");
}
