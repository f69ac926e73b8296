#define CAF_SUITE whatsapp_text
#include "protocol/whatsapp_text.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

using namespace parley;

CAF_TEST(markdown becomes whatsapp markup) {
  CAF_CHECK_EQUAL(markdown_to_whatsapp("**bold** and *it* and ~~gone~~"),
                  "*bold* and _it_ and ~gone~");
  CAF_CHECK_EQUAL(markdown_to_whatsapp("## Plan\n- one\n- two"),
                  "*Plan*\n• one\n• two");
  CAF_CHECK_EQUAL(markdown_to_whatsapp("see [docs](https://x.y)"),
                  "see docs (https://x.y)");
  CAF_CHECK_EQUAL(markdown_to_whatsapp("`**raw**` stays"), "`**raw**` stays");
  CAF_CHECK_EQUAL(markdown_to_whatsapp("```\n**code**\n```"),
                  "```\n**code**\n```");
  CAF_CHECK_EQUAL(markdown_to_whatsapp("2 * 3 * 4"), "2 * 3 * 4");
}

CAF_TEST(short text is one message) {
  auto parts = split_message("hello");
  CAF_REQUIRE_EQUAL(parts.size(), 1u);
  CAF_CHECK_EQUAL(parts[0], "hello");
  CAF_CHECK(split_message("   ").empty());
}

CAF_TEST(long text splits at paragraphs first) {
  auto text = std::string(3000, 'a') + "\n\n" + std::string(3000, 'b');
  auto parts = split_message(text);
  CAF_REQUIRE_EQUAL(parts.size(), 2u);
  CAF_CHECK_EQUAL(parts[0], std::string(3000, 'a'));
  CAF_CHECK_EQUAL(parts[1], std::string(3000, 'b'));
}

CAF_TEST(without paragraphs it splits at sentences then words) {
  auto parts = split_message("One two. Three four. Five six.", 12);
  CAF_REQUIRE_EQUAL(parts.size(), 3u);
  CAF_CHECK_EQUAL(parts[0], "One two.");
  auto words = split_message("alpha beta gamma", 11);
  CAF_CHECK_EQUAL(words[0], "alpha beta");
}

CAF_TEST(splitting never cuts a utf8 character and respects the limit) {
  std::string text;
  for (int i = 0; i < 5000; ++i)
    text += "\xC3\xA9"; // é, two bytes
  auto parts = split_message(text);
  CAF_REQUIRE_EQUAL(parts.size(), 2u);
  CAF_CHECK_EQUAL(utf8_length(parts[0]), whatsapp_text_limit);
  CAF_CHECK_EQUAL(utf8_length(parts[1]), 5000 - whatsapp_text_limit);
  for (auto& p : parts)
    CAF_CHECK((static_cast<unsigned char>(p[0]) & 0xC0) != 0x80);
}
