#pragma once

// The OpenAI-compatible /chat/completions wire format.

#include "protocol/types.hpp"

#include <string>
#include <vector>

namespace parley::openai {

/// The JSON body of a chat-completions request.
std::string build_request(const std::string& model, const llm_request& req);

struct reply {
  bool ok = false;
  std::string content;  ///< the assistant's text, may be empty with calls
  std::vector<tool_call> calls;
  std::string error;    ///< why not, when !ok
  int64_t prompt_tokens = 0;      ///< from `usage`, when the server counts
  int64_t completion_tokens = 0;
};

/// Reads the first choice's message (its text and tool calls) from a
/// response body; ok when there is either.
reply parse_response(const std::string& body);

} // namespace parley::openai
