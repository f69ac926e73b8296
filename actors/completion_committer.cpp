#include "actors/completion_committer.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"

#include <chrono>

namespace parley {

namespace {

using self_ptr = completion_actor::stateful_pointer<completion_committer_state>;

void commit_waiting(self_ptr self, storage_actor worker) {
  auto& st = self->state;
  if (st.committing || st.queue.empty())
    return;
  st.committing = true;
  auto n = std::min(st.queue.size(), max_completion_batch);
  auto batch = std::make_shared<std::vector<completion_committer_state::waiting>>(
    std::make_move_iterator(st.queue.begin()), std::make_move_iterator(st.queue.begin() + n));
  st.queue.erase(st.queue.begin(), st.queue.begin() + n);
  std::vector<completion> items;
  std::vector<std::string> channels;
  for (auto& w : *batch) {
    items.push_back(w.c);
    channels.push_back(w.channel);
  }
  auto again = [=] {
    self->state.committing = false;
    commit_waiting(self, worker);
  };
  self->request(worker, std::chrono::seconds(30), atom::complete_v, std::move(items),
                std::move(channels))
    .then(
      [=](std::vector<completion_result>& results) {
        for (size_t i = 0; i < batch->size(); ++i) {
          auto& r = results.at(i);
          if (r.error.empty()) {
            (*batch)[i].promise.deliver(std::move(r));
          } else {
            log::warn("a completion could not be stored (the rest of its batch was): "
                      + r.error);
            (*batch)[i].promise.deliver(make_error(errc::storage_unavailable, r.error));
          }
        }
        again();
      },
      [=](const caf::error& err) {
        // Storage is down: every session of the batch keeps its message and
        // tries again after its back-off.
        for (auto& w : *batch)
          w.promise.deliver(err);
        again();
      });
}

} // namespace

completion_actor::behavior_type
completion_committer(self_ptr self, storage_actor worker) {
  return {
    [=](atom::complete, completion& c,
        std::string& channel) -> caf::result<completion_result> {
      auto promise = self->make_response_promise<completion_result>();
      self->state.queue.push_back({std::move(c), std::move(channel), promise});
      commit_waiting(self, worker);
      return promise;
    },
  };
}

} // namespace parley
