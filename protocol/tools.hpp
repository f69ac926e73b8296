#pragma once

// The tools parley offers the model, in the OpenAI function-calling format.
// Each side-effecting tool call passes the policy gate like a typed command.

#include "protocol/config.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace parley::tools {

inline constexpr const char* run_shell = "run_shell";

/// The tools the model may use when answering `sender`: only the people who
/// may run commands are offered any, so nobody else's words can reach them.
std::vector<std::string> offered(const tenant_config& t,
                                 const std::string& sender);

/// The `tools` array of a chat-completions request.
nlohmann::json schemas(const std::vector<std::string>& names);

/// The command line of a run_shell call; empty with `error` set when the
/// arguments are not `{"command": "<text>"}`.
std::string shell_line(const std::string& arguments, std::string& error);

} // namespace parley::tools
