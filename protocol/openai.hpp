#pragma once

// The OpenAI-compatible /chat/completions wire format.

#include "protocol/types.hpp"

#include <string>

namespace parley::openai {

/// The JSON body of a chat-completions request.
std::string build_request(const std::string& model, const llm_request& req);

struct reply {
  bool ok = false;
  std::string content;  ///< the assistant's text when ok
  std::string error;    ///< why not, when !ok
};

/// Reads the first choice's message content from a response body.
reply parse_response(const std::string& body);

} // namespace parley::openai
