#pragma once

// Runs one program as an argv array through posix_spawn — never a shell —
// with a working directory, a minimal environment, a deadline and an output
// cap. Blocking: only the detached shell connector calls it.

#include "protocol/types.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace parley {

struct process_limits {
  std::string workdir = "/";
  std::chrono::milliseconds timeout{30000};
  size_t output_cap = 65536;  ///< bytes of stdout+stderr kept; more stops it
};

/// Runs `argv` in its own process group; the whole group is killed at the
/// deadline or when the output passes the cap.
shell_outcome run_process(const std::vector<std::string>& argv,
                           const process_limits& limits);

} // namespace parley
