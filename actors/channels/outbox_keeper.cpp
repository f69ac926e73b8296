#include "actors/channels/outbox_keeper.hpp"

namespace parley {

outbox_keeper_actor::behavior_type
outbox_keeper(outbox_keeper_actor::stateful_pointer<outbox_keeper_state> self,
              std::string conninfo) {
  self->state.db = std::make_unique<store_handle>(std::move(conninfo));
  return {
    [=](atom::send, const std::vector<outbox_outcome>& outcomes,
        const std::vector<int64_t>& to_send) -> caf::result<std::vector<outbox_claim>> {
      return guarded_query(*self->state.db, "recording sends", [&](storage::store& s) {
        return s.outbox_step(outcomes, to_send);
      });
    },
    [=](atom::pending, const std::vector<std::string>& channels)
      -> caf::result<std::vector<outbox_item>> {
      return guarded_query(*self->state.db, "reading the outbox", [&](storage::store& s) {
        return s.pending_outbox(channels);
      });
    },
  };
}

} // namespace parley
