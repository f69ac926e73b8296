// Whatever an OpenAI-compatible server answers, including a hostile one.
#include "protocol/openai.hpp"
#include "tests/fuzz/check.hpp"

using namespace parley;
using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto reply = openai::parse_response(body);
  if (reply.ok) {
    require(!reply.content.empty() || !reply.calls.empty(),
            "an ok reply has text or tool calls");
  } else {
    require(!reply.error.empty(), "a failed parse says why");
  }
  return 0;
}
