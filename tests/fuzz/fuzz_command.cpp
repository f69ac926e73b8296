// The deterministic command grammar, on any text a sender can type.
#include "protocol/commands.hpp"
#include "tests/fuzz/check.hpp"

using namespace parley;
using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cmd = parse_command(text);
  switch (cmd.kind) {
    case command_kind::add_task:
    case command_kind::shell:
      require(!cmd.title.empty(), "a task or shell command has a text");
      require(cmd.title.size() <= text.size(), "the text comes from the input");
      break;
    case command_kind::complete_task:
      require(cmd.number >= 1, "a task number is positive");
      break;
    case command_kind::approve:
    case command_kind::deny:
      require(cmd.number >= 0, "an approval number is not negative");
      break;
    case command_kind::usage:
      require(!cmd.word.empty(), "a usage answer names the command");
      break;
    default:
      break;
  }
  // Every reply the grammar can lead to renders for any title.
  for (auto* lang : {"nl", "en"}) {
    task_added_reply(lang, cmd.number, cmd.title);
    task_done_reply(lang, cmd.number, cmd.title);
    usage_reply(lang, cmd.word);
  }
  return 0;
}
