// Meta webhook bodies as they arrive from the internet (after the signature
// check, so any JSON an attacker with the secret, or a Meta bug, could send).
#include "protocol/meta_webhook.hpp"
#include "tests/fuzz/check.hpp"

using namespace parley;
using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto parsed = meta::parse_webhook(body);
  require(parsed.ok || parsed.items.empty(), "a malformed body yields no items");
  require(parsed.ok || !parsed.error.empty(), "a malformed body says why");
  for (auto& item : parsed.items) {
    if (item.kind != meta::item_kind::ignored)
      require(!item.message_id.empty(), "a message or status has an id");
    fuzz::require_storable_json(item.raw);
  }
  return 0;
}
