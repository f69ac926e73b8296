// The WhatsApp text splitter and markup conversion, on LLM output of any shape.
// The first byte picks the limit, so short limits are explored too.
#include "protocol/whatsapp_text.hpp"
#include "tests/fuzz/check.hpp"

#include <algorithm>
#include <cctype>

using namespace parley;
using fuzz::require;

namespace {

std::string without_space(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c)))
      out += c;
  return out;
}

/// nlohmann's dump() refuses invalid UTF-8: a strict, independent check.
bool valid_utf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  std::size_t limit = 1 + data[0] % 64;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto parts = split_message(text, limit);
  std::string joined;
  for (auto& part : parts) {
    require(!part.empty(), "no empty part");
    require(utf8_length(part) <= limit, "a part fits the limit");
    joined += part;
  }
  require(without_space(joined) == without_space(text), "no text is lost");
  if (valid_utf8(text))
    for (auto& part : parts)
      require(valid_utf8(part), "no UTF-8 sequence is split");
  auto markup = markdown_to_whatsapp(text);
  if (valid_utf8(text))
    require(valid_utf8(markup), "markup conversion keeps UTF-8 valid");
  return 0;
}
