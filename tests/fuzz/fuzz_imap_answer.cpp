// What an IMAP server (or someone in the middle of a broken TLS setup)
// answers the mail connector: SEARCH and FETCH answers with literals, and
// header values with MIME encoded-words and dates.
#include "protocol/imap_text.hpp"
#include "tests/fuzz/check.hpp"

using namespace parley;
using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto uids = imap::parse_search(text);
  for (size_t i = 1; i < uids.size(); ++i)
    require(uids[i - 1] <= uids[i], "search results are sorted");
  for (auto& f : imap::parse_fetch(text)) {
    require(!f.headers.empty(), "a fetched item has headers");
    auto m = imap::item_of(f, "from");
    require(m.from.size() <= text.size() * 3 + 16, "a display name comes from the input");
  }
  imap::decode_words(text);
  auto address = imap::address_of(text);
  require(address.find('"') == std::string::npos && address.find('\r') == std::string::npos
            && address.find('\n') == std::string::npos,
          "an address cannot break out of a quoted IMAP string");
  imap::parse_date(text);
  return 0;
}
