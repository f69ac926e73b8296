#pragma once

// Workflow events as storage reads and writes them (store_workflows.cpp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley {

/// An event as the runner needs it: what to run and what is done.
struct workflow_event {
  int64_t id = 0;
  std::string kind, name, workflow, status;
  std::string payload;               ///< JSON text
  int attempts = 0;                  ///< of the step under way
  int retries = 0;                   ///< times an operator ran it again
  std::vector<std::string> outputs;  ///< of the completed steps, in order
  int64_t waiting_approval = 0;      ///< the step under way waits for this approval
};

} // namespace parley
