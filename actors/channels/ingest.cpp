#include "actors/channels/ingest.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/media.hpp"

#include <chrono>

namespace parley {

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

inbound_message to_message(const storage::event_row& row, int64_t id) {
  inbound_message m;
  m.event_id = id;
  m.provider = row.provider;
  m.tenant = row.tenant;
  m.chat = row.chat;
  m.sender = row.sender;
  m.sender_name = row.sender_name;
  m.message_id = row.message_id;
  m.kind = row.msg_type;
  m.text = row.body;
  m.context = row.context;
  m.received_ms = now_ms();
  if (row.provider == "meta")
    media::read_media(m.kind, row.payload, m.media_id, m.media_mime, m.media_name);
  else if (row.provider == "evolution")
    media::read_evolution_media(m.kind, row.payload, m.message_id, m.media_id, m.media_mime,
                                m.media_name);
  return m;
}

void commit_waiting(ingest_actor::stateful_pointer<ingest_state> self,
                    event_writer_actor writer, router_actor router,
                    std::shared_ptr<ingest_metrics> metrics) {
  auto& st = self->state;
  if (st.committing || st.waiting.empty())
    return;
  st.committing = true;
  auto batches = std::make_shared<std::vector<webhook_batch>>();
  batches->swap(st.waiting);
  std::vector<storage::event_row> rows;
  for (auto& b : *batches)
    rows.insert(rows.end(), b.rows.begin(), b.rows.end());
  auto again = [=] {
    self->state.committing = false;
    commit_waiting(self, writer, router, metrics);
  };
  self->request(writer, std::chrono::seconds(30), atom::write_v, rows)
    .then(
      [=](const std::vector<storage::insert_outcome>& outcomes) {
        metrics->commits++;
        metrics->storage_ok = true;
        size_t i = 0;
        for (auto& b : *batches) {
          ingest_ack ack;
          ack.stored = true;
          for (auto& row : b.rows) {
            auto& o = outcomes.at(i++);
            if (o.duplicate) {
              ++ack.duplicates;
              if (o.unanswered) // its first delivery may never have been routed
                self->send(router, atom::route_v, to_message(row, o.id));
              continue;
            }
            ++ack.fresh;
            if (row.kind == "message")
              self->send(router, atom::route_v, to_message(row, o.id));
          }
          metrics->events += ack.fresh;
          metrics->duplicates += ack.duplicates;
          b.on_commit(ack);
        }
        again();
      },
      [=](const caf::error& err) {
        metrics->failures++;
        metrics->storage_ok = false;
        auto why = describe(err);
        log::error("webhook batch not stored: " + why);
        for (auto& b : *batches)
          b.on_commit(ingest_ack{false, 0, 0, why});
        again();
      });
}

} // namespace

ingest_actor::behavior_type
ingest(ingest_actor::stateful_pointer<ingest_state> self,
       event_writer_actor writer, router_actor router,
       std::shared_ptr<ingest_metrics> metrics) {
  return {
    [=](atom::ingest, webhook_batch& batch) {
      if (batch.rows.empty()) {
        batch.on_commit(ingest_ack{true, 0, 0, {}});
        return;
      }
      self->state.waiting.push_back(std::move(batch));
      commit_waiting(self, writer, router, metrics);
    },
  };
}

void ingest_metrics::count(const std::string& tenant, const completion& c) {
  std::lock_guard<std::mutex> lock(tenants_mutex_);
  auto& t = tenants_[tenant];
  t.messages++;
  if (c.path != answer_path::silent && c.path != answer_path::ignored)
    t.replies++;
  if (!c.error.empty())
    t.failures++;
  if (c.approval_id != 0)
    t.approvals++;
}

std::string ingest_metrics::tenant_text() const {
  std::lock_guard<std::mutex> lock(tenants_mutex_);
  std::string out;
  auto family = [&](const char* name, const char* help, uint64_t per_tenant::*field) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
    for (auto& [tenant, t] : tenants_)
      out += std::string(name) + "{tenant=\"" + tenant + "\"} " + std::to_string(t.*field) + "\n";
  };
  family("parley_tenant_messages_total", "Messages done with, by tenant.", &per_tenant::messages);
  family("parley_tenant_replies_total", "Messages answered, by tenant.", &per_tenant::replies);
  family("parley_tenant_failures_total",
         "Messages the LLM failed on (answered by the fallback), by tenant.",
         &per_tenant::failures);
  family("parley_tenant_approvals_total", "Approvals asked for, by tenant.",
         &per_tenant::approvals);
  return out;
}

} // namespace parley
