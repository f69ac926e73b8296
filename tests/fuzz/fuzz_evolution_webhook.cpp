// Evolution API webhook bodies (after the apikey check).
#include "protocol/evolution.hpp"
#include "tests/fuzz/check.hpp"

using namespace parley;
using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto parsed = evolution::parse_webhook(body);
  require(parsed.ok || parsed.items.empty(), "a malformed body yields no items");
  require(parsed.ok || !parsed.error.empty(), "a malformed body says why");
  for (auto& item : parsed.items) {
    fuzz::require_storable_json(item.raw);
    if (item.kind == evolution::item_kind::message)
      require(!item.chat.empty() && !item.message_id.empty(),
              "a message has a chat and an id");
  }
  return 0;
}
