#include "protocol/group.hpp"

namespace parley {

std::string display_name(const inbound_message& m) {
  std::string out;
  size_t chars = 0;
  for (unsigned char c : m.sender_name) {
    bool starts_char = (c & 0xC0) != 0x80;
    if (starts_char && chars == 40)
      break; // cut only between characters
    if (c < 0x20 || c == 0x7F)
      continue; // line breaks and control characters
    chars += starts_char;
    out += static_cast<char>(c);
  }
  return out.empty() ? m.sender : out;
}

std::string memory_text(const inbound_message& m) {
  auto text = m.via.empty() ? m.text : "[" + m.via + "] " + m.text;
  if (!m.context.group)
    return text;
  return display_name(m) + ": " + text;
}

} // namespace parley
