#include "actors/completion_writer.hpp"

#include "actors/errors.hpp"

#include <caf/send.hpp>

namespace parley {

namespace {

using self_ptr = completion_writer_actor::stateful_pointer<completion_writer_state>;

/// Sends up to `max_batch` of what has gathered as one batch on connection
/// `conn`; its outcomes come back as a message.
void commit_on(self_ptr self, size_t conn, size_t max_batch) {
  auto& st = self->state;
  auto n = std::min(max_batch, st.gathering.size());
  std::vector<storage::completion_job> jobs;
  std::vector<caf::typed_response_promise<completion_result>> promises;
  for (size_t i = 0; i < n; ++i) {
    jobs.push_back(std::move(st.gathering[i].job));
    promises.push_back(std::move(st.gathering[i].promise));
  }
  st.gathering.erase(st.gathering.begin(), st.gathering.begin() + n);
  auto batch = ++st.batches;
  st.flights.emplace(batch, std::move(promises));
  st.busy[conn] = batch;
  // The loop's thread answers by message: the actor's state is touched only
  // by the actor. A weak handle, so that a batch in flight does not keep a
  // stopped writer alive.
  auto me = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
  storage::complete_together(
    *st.line->db[conn], std::move(jobs), [me, batch](std::vector<completion_outcome> outs) {
      if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(me))
        caf::anon_send(caf::actor_cast<completion_writer_actor>(strong), atom::done_v,
                       batch, std::move(outs));
    });
}

/// Every free connection takes a batch of what has gathered.
void commit_gathered(self_ptr self, size_t max_batch) {
  auto& st = self->state;
  for (size_t conn = 0; conn < st.busy.size() && !st.gathering.empty(); ++conn)
    if (st.busy[conn] == 0)
      commit_on(self, conn, max_batch);
}

} // namespace

completion_writer_actor::behavior_type
completion_writer(completion_writer_actor::stateful_pointer<completion_writer_state> self,
                  std::string conninfo, std::shared_ptr<ingest_metrics> metrics,
                  size_t connections, size_t max_batch) {
  self->state.line = std::make_unique<completion_line>(conninfo, connections);
  self->state.busy.assign(self->state.line->db.size(), 0);
  self->state.metrics = std::move(metrics);
  return {
    [=](atom::complete, const completion& c,
        const std::string& channel) -> caf::result<completion_result> {
      auto promise = self->make_response_promise<completion_result>();
      self->state.gathering.push_back({{c, channel}, promise});
      commit_gathered(self, max_batch);
      return promise;
    },
    [=](atom::done, uint64_t batch, std::vector<completion_outcome>& outs) {
      auto& st = self->state;
      auto found = st.flights.find(batch);
      if (found == st.flights.end())
        return;
      auto promises = std::move(found->second);
      st.flights.erase(found);
      std::replace(st.busy.begin(), st.busy.end(), batch, uint64_t{0});
      if (st.metrics) {
        st.metrics->completion_batches++;
        st.metrics->completions_batched += promises.size();
      }
      for (size_t i = 0; i < promises.size(); ++i) {
        if (i < outs.size() && outs[i].error.empty())
          promises[i].deliver(std::move(outs[i].result));
        else
          promises[i].deliver(make_error(
            errc::storage_unavailable,
            "completing an event: " + (i < outs.size() ? outs[i].error : "no answer")));
      }
      commit_gathered(self, max_batch);
    },
  };
}

} // namespace parley
