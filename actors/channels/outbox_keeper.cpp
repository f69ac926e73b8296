#include "actors/channels/outbox_keeper.hpp"

#include "actors/errors.hpp"
#include "storage/outbox_async.hpp"

#include <caf/send.hpp>

namespace parley {

namespace {

using self_ptr = outbox_keeper_actor::stateful_pointer<outbox_keeper_state>;

/// Where the loop's answer to request `n` goes: back to the keeper as a
/// message, so that only the keeper touches its state. A weak handle, so
/// that a request in flight does not keep a stopped keeper alive.
template <class Rows>
std::function<void(Rows, std::string)> answer_to(self_ptr self, uint64_t n) {
  auto me = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
  return [me, n](Rows rows, std::string error) {
    auto strong = caf::actor_cast<caf::strong_actor_ptr>(me);
    if (!strong)
      return;
    auto keeper = caf::actor_cast<outbox_keeper_actor>(strong);
    if (error.empty())
      caf::anon_send(keeper, atom::done_v, n, std::move(rows));
    else
      caf::anon_send(keeper, atom::done_v, n,
                     make_error(errc::storage_unavailable, std::move(error)));
  };
}

} // namespace

outbox_keeper_actor::behavior_type
outbox_keeper(outbox_keeper_actor::stateful_pointer<outbox_keeper_state> self,
              std::string conninfo, std::shared_ptr<net::event_loop> loop) {
  auto& st = self->state;
  st.loop = loop ? std::move(loop) : std::make_shared<net::event_loop>();
  st.db = std::make_unique<storage::async_connection>(st.loop->context(),
                                                      std::move(conninfo));
  return {
    [=](atom::send, const std::vector<outbox_outcome>& outcomes,
        const std::vector<int64_t>& to_send) -> caf::result<std::vector<outbox_claim>> {
      auto n = ++self->state.asked;
      auto promise = self->make_response_promise<std::vector<outbox_claim>>();
      self->state.steps.emplace(n, promise);
      storage::outbox_step(*self->state.db, outcomes, to_send,
                           answer_to<std::vector<outbox_claim>>(self, n));
      return promise;
    },
    [=](atom::pending, const std::vector<std::string>& channels)
      -> caf::result<std::vector<outbox_item>> {
      auto n = ++self->state.asked;
      auto promise = self->make_response_promise<std::vector<outbox_item>>();
      self->state.reads.emplace(n, promise);
      storage::pending_outbox(*self->state.db, channels,
                              answer_to<std::vector<outbox_item>>(self, n));
      return promise;
    },
    [=](atom::done, uint64_t n, std::vector<outbox_claim>& claims) {
      auto p = self->state.steps.find(n);
      if (p == self->state.steps.end())
        return;
      p->second.deliver(std::move(claims));
      self->state.steps.erase(p);
    },
    [=](atom::done, uint64_t n, std::vector<outbox_item>& rows) {
      auto p = self->state.reads.find(n);
      if (p == self->state.reads.end())
        return;
      p->second.deliver(std::move(rows));
      self->state.reads.erase(p);
    },
    [=](atom::done, uint64_t n, caf::error& err) {
      if (auto p = self->state.steps.find(n); p != self->state.steps.end()) {
        p->second.deliver(err);
        self->state.steps.erase(p);
      } else if (auto r = self->state.reads.find(n); r != self->state.reads.end()) {
        r->second.deliver(err);
        self->state.reads.erase(r);
      }
    },
  };
}

} // namespace parley
