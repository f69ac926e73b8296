#pragma once

// Group commit for completions: one committer in front of each storage
// worker collects the completions sessions hand it while the worker is busy
// and gives them to the worker as one batch, one transaction and one commit.
// Under load a batch grows by itself (as the ingest's does); when idle a
// completion goes alone and waits for nothing.

#include "actors/interfaces.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <string>
#include <vector>

namespace parley {

struct completion_committer_state {
  struct waiting {
    completion c;
    std::string channel;
    caf::typed_response_promise<completion_result> promise;
  };
  std::vector<waiting> queue;
  bool committing = false;
  static inline const char* name = "completion-committer";
};

/// The most completions in one transaction: a batch stays one short commit.
inline constexpr size_t max_completion_batch = 64;

completion_actor::behavior_type
completion_committer(completion_actor::stateful_pointer<completion_committer_state> self,
                     storage_actor worker);

} // namespace parley
