#include "protocol/types.hpp"

namespace parley {

std::string to_string(answer_path p) {
  switch (p) {
    case answer_path::command:
      return "command";
    case answer_path::llm:
      return "llm";
    case answer_path::fallback:
      return "fallback";
    case answer_path::action:
      return "action";
    case answer_path::silent:
      return "silent";
    default:
      return "ignored";
  }
}

} // namespace parley
