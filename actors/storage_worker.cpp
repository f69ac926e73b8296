#include "actors/storage_worker.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"

namespace parley {

storage_actor::behavior_type
storage_worker(storage_actor::stateful_pointer<storage_worker_state> self,
               std::string conninfo) {
  self->state.db = std::make_unique<store_handle>(std::move(conninfo));
  return {
    [=](atom::load, const conversation_key& key,
        int32_t limit) -> caf::result<std::vector<memory_entry>> {
      return guarded_query(*self->state.db, "loading memory", [&](storage::store& s) {
        return s.load_memory(key.tenant, key.chat, limit);
      });
    },
    [=](atom::complete, const completion& c,
        const std::string& channel) -> caf::result<completion_result> {
      return guarded_query(*self->state.db, "completing an event",
                     [&](storage::store& s) { return s.complete(c, channel); });
    },
    [=](atom::pending, const std::vector<std::string>& providers)
      -> caf::result<std::vector<int64_t>> {
      return guarded_query(*self->state.db, "reading pending events",
                     [&](storage::store& s) {
                       return s.pending_message_ids(providers);
                     });
    },
    [=](atom::load, const std::vector<int64_t>& ids)
      -> caf::result<std::vector<inbound_message>> {
      return guarded_query(*self->state.db, "reading waiting messages",
                     [&](storage::store& s) { return s.pending_messages(ids); });
    },
    [=](atom::pending, const conversation_key& key)
      -> caf::result<std::vector<inbound_message>> {
      return guarded_query(*self->state.db, "reading a conversation's pending events",
                     [&](storage::store& s) {
                       return s.pending_messages(key.tenant, key.chat);
                     });
    },
    [=](atom::pending, atom::send, const std::vector<std::string>& channels)
      -> caf::result<std::vector<outbox_item>> {
      return guarded_query(*self->state.db, "reading the outbox", [&](storage::store& s) {
        return s.pending_outbox(channels);
      });
    },
    [=](atom::inspect, const std::string& what, const std::string& tenant,
        const std::string& chat, const std::string& before,
        int32_t limit) -> caf::result<std::string> {
      return guarded_query(*self->state.db, "reading for the operator",
                           [&](storage::store& s) -> std::string {
                             auto cursor = [&] {
                               try {
                                 return before.empty() ? int64_t{0} : int64_t{std::stoll(before)};
                               } catch (const std::exception&) {
                                 return int64_t{0};
                               }
                             };
                             if (what == "conversations")
                               return s.inspect_conversations(tenant, before, limit);
                             if (what == "messages")
                               return s.inspect_messages(tenant, chat, cursor(), limit);
                             if (what == "runs")
                               return s.inspect_runs(tenant, chat, cursor(), limit);
                             return s.inspect_run(cursor()).value_or("");
                           });
    },
    [=](atom::decisions, const std::string& tenant, const std::string& chat)
      -> caf::result<std::vector<decision_record>> {
      return guarded_query(*self->state.db, "reading decisions", [&](storage::store& s) {
        return s.decisions(tenant, chat, 200);
      });
    },
    [=](atom::tasks, const std::string& tenant, const std::string& chat)
      -> caf::result<std::vector<std::string>> {
      return guarded_query(*self->state.db, "reading tasks", [&](storage::store& s) {
        return s.open_tasks(tenant, chat);
      });
    },
    [=](atom::claim, const std::string& tenant, const std::string& date)
      -> caf::result<bool> {
      return guarded_query(*self->state.db, "claiming the brief", [&](storage::store& s) {
        return s.claim_brief(tenant, date);
      });
    },
    [=](atom::brief, const brief_delivery& d) -> caf::result<brief_queued> {
      return guarded_query(*self->state.db, "queueing the brief",
                     [&](storage::store& s) { return s.queue_brief(d); });
    },
    [=](atom::send, const outbox_item& item) -> caf::result<outbox_item> {
      return guarded_query(*self->state.db, "storing a message",
                     [&](storage::store& s) { return s.enqueue(item); });
    },
    [=](atom::brief, atom::status, const std::string& tenant,
        const std::string& date) -> caf::result<brief_record> {
      return guarded_query(*self->state.db, "reading the brief", [&](storage::store& s) {
        return s.brief_of(tenant, date);
      });
    },
  };
}

event_writer_actor::behavior_type
event_writer(event_writer_actor::stateful_pointer<event_writer_state> self,
             std::string conninfo) {
  self->state.db = std::make_unique<store_handle>(std::move(conninfo));
  return {
    [=](atom::write, const std::vector<storage::event_row>& rows)
      -> caf::result<std::vector<storage::insert_outcome>> {
      return guarded_query(*self->state.db, "storing webhook events",
                     [&](storage::store& s) { return s.insert_events(rows); });
    },
  };
}

} // namespace parley
