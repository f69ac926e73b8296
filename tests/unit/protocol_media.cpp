// Voice notes and pictures, the pure parts: where Meta says the bytes are,
// the multipart upload for a transcription, a picture as a content part.
#define CAF_SUITE media
#include "protocol/media.hpp"
#include "protocol/openai.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

#include <nlohmann/json.hpp>

using namespace parley;

CAF_TEST(the graph api says where a media id is) {
  auto l = media::parse_location(R"({"messaging_product":"whatsapp",
    "url":"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1","mime_type":"audio/ogg",
    "sha256":"x","file_size":3081,"id":"1234"})");
  CAF_REQUIRE(l.has_value());
  CAF_CHECK_EQUAL(l->url, "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1");
  CAF_CHECK_EQUAL(l->mime_type, "audio/ogg");
  CAF_CHECK_EQUAL(l->size, 3081u);
  CAF_CHECK(!media::parse_location(R"({"error":{"message":"no"}})"));
  CAF_CHECK(!media::parse_location(R"({"url":"file:///etc/passwd"})"));
  CAF_CHECK(!media::parse_location("not json"));
  CAF_CHECK_EQUAL(media::size_limit("audio"), 16u << 20);
  CAF_CHECK_EQUAL(media::size_limit("image"), 5u << 20);
  CAF_CHECK_EQUAL(media::size_limit("video"), 0u);
}

CAF_TEST(a stored meta message names its media) {
  std::string id, mime, name;
  media::read_media("audio", R"({"type":"audio","audio":{"mime_type":"audio/ogg; codecs=opus",
    "id":"1234","voice":true}})", id, mime, name);
  CAF_CHECK_EQUAL(id, "1234");
  CAF_CHECK_EQUAL(mime, "audio/ogg; codecs=opus");
  std::string did, dmime, dname;
  media::read_media("document", R"({"document":{"id":"9","filename":"offerte.pdf"}})", did,
                    dmime, dname);
  CAF_CHECK_EQUAL(dname, "offerte.pdf");
  std::string none, n2, n3;
  media::read_media("text", R"({"text":{"body":"hi"}})", none, n2, n3);
  CAF_CHECK_EQUAL(none, "");
  CAF_CHECK(media::has_media("image") && !media::has_media("text"));
}

CAF_TEST(the transcription upload is a multipart form with the model and the file) {
  std::string bytes("OggS\0\r\n--x", 10);  // binary, even a line that looks like a boundary
  auto m = media::transcription_body("whisper-1", media::audio_file_name("audio/ogg; codecs=opus"),
                                     "audio/ogg; codecs=opus", bytes, "b0undary");
  CAF_CHECK_EQUAL(m.content_type, "multipart/form-data; boundary=b0undary");
  CAF_CHECK_EQUAL(m.body,
                  "--b0undary\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n"
                  "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"voice.ogg\"\r\n"
                  "Content-Type: audio/ogg; codecs=opus\r\n\r\n" + bytes + "\r\n--b0undary--\r\n");
  CAF_CHECK_EQUAL(media::audio_file_name("audio/mpeg"), "voice.mp3");
  CAF_CHECK_EQUAL(*media::parse_transcript(R"({"text":"taken"})"), "taken");
  CAF_CHECK(!media::parse_transcript(R"({"error":"x"})"));
}

CAF_TEST(a kept media file is named by its id and type and stays in its folder) {
  CAF_CHECK_EQUAL(media::kept_file_name("1234567890987654321", "audio/ogg; codecs=opus"),
                  "1234567890987654321.ogg");
  CAF_CHECK_EQUAL(media::kept_file_name("65463453", "image/jpeg"), "65463453.jpg");
  CAF_CHECK_EQUAL(media::kept_file_name("d0c", "application/pdf"), "d0c.pdf");
  CAF_CHECK_EQUAL(media::kept_file_name("x", "application/x-unknown"), "x.bin");
  // The id comes from the sender's side: no way out of the folder.
  CAF_CHECK_EQUAL(media::kept_file_name("../../etc/passwd", "image/png"), "______etc_passwd.png");
  CAF_CHECK_EQUAL(media::kept_file_name("", "image/png"), "media.png");
}

CAF_TEST(a picture travels as an image_url part of the last user message) {
  llm_request req;
  req.system_prompt = "You are terse.";
  req.messages = {{"user", "earlier"}, {"assistant", "ok"}, {"user", "wat is dit?"}};
  req.image_url = media::data_url("image/jpeg", "abc");
  auto body = nlohmann::json::parse(openai::build_request("m", req));
  CAF_CHECK_EQUAL(body["messages"][1]["content"], "earlier");
  auto& parts = body["messages"][3]["content"];
  CAF_CHECK_EQUAL(parts[0]["type"], "text");
  CAF_CHECK_EQUAL(parts[0]["text"], "wat is dit?");
  CAF_CHECK_EQUAL(parts[1]["image_url"]["url"], "data:image/jpeg;base64,YWJj");
  CAF_CHECK_EQUAL(media::failed_reply("nl", "audio"),
                  "Ik kon je spraakbericht niet beluisteren. Wil je het typen?");
}

CAF_TEST(the evolution bridge media is read by the message id) {
  std::string id, mime, name;
  media::read_evolution_media("audioMessage",
                              R"({"key":{"id":"3EB0"},"message":{"audioMessage":{"mimetype":"audio/ogg; codecs=opus","ptt":true}}})",
                              "3EB0", id, mime, name);
  CAF_CHECK_EQUAL(id, "3EB0");
  CAF_CHECK_EQUAL(mime, "audio/ogg; codecs=opus");
  CAF_CHECK_EQUAL(media::plain_kind("audioMessage"), "audio");
  CAF_CHECK_EQUAL(media::plain_kind("imageMessage"), "image");
  CAF_CHECK_EQUAL(media::plain_kind("text"), "text");
  CAF_CHECK_EQUAL(nlohmann::json::parse(media::evolution_media_body("3EB0")),
                  nlohmann::json::parse(R"({"message":{"key":{"id":"3EB0"}},"convertToMp4":false})"));
  auto got = media::parse_evolution_media(R"({"mediaType":"audioMessage","mimetype":"audio/ogg","base64":"T2dnUw=="})");
  CAF_REQUIRE(got.has_value());
  CAF_CHECK_EQUAL(got->bytes, "OggS");
  CAF_CHECK_EQUAL(got->mime_type, "audio/ogg");
  CAF_CHECK(!media::parse_evolution_media(R"({"status":400})"));
  CAF_CHECK(!media::parse_evolution_media(R"({"base64":"***"})"));
}
