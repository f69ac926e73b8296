#pragma once

// WhatsApp's text conventions: its own light markup, and a 4096-character
// limit per message.

#include <cstddef>
#include <string>
#include <vector>

namespace parley {

/// Characters in one WhatsApp text message.
constexpr std::size_t whatsapp_text_limit = 4096;

/// Markdown as LLMs write it → WhatsApp markup: **bold** → *bold*,
/// *italic* → _italic_, ~~strike~~ → ~strike~, headings → bold lines,
/// [text](url) → text (url), list bullets → •. Code is left untouched.
std::string markdown_to_whatsapp(const std::string& markdown);

/// Splits text into messages of at most `limit` characters (code points),
/// preferring paragraph, then sentence, then word boundaries; never splits a
/// UTF-8 sequence. Empty input gives no parts.
std::vector<std::string> split_message(const std::string& text,
                                       std::size_t limit = whatsapp_text_limit);

/// Number of code points in valid UTF-8 (continuation bytes are not counted).
std::size_t utf8_length(const std::string& s);

} // namespace parley
