#include "actors/schedule/morning_brief.hpp"

#include "actors/errors.hpp"

namespace parley {

namespace {

constexpr std::chrono::seconds storage_bound{30};

} // namespace

morning_brief_actor::behavior_type morning_brief(morning_brief_actor::pointer self,
                                                 std::shared_ptr<const config> cfg,
                                                 morning_brief_deps deps) {
  return {
    [=](atom::brief, const std::string& tenant_id,
        const std::string& date) -> caf::result<std::string> {
      auto tenant = cfg->tenant_by_id(tenant_id);
      if (!tenant)
        return make_error(errc::not_found, "no tenant " + tenant_id);
      auto outcome = self->make_response_promise<std::string>();
      auto compose_bound = std::chrono::milliseconds(cfg->brief.deadline_ms
                                                     + 2 * cfg->llm.timeout_ms)
                           + std::chrono::seconds(5);
      auto fail = [=](const caf::error& err) mutable { outcome.deliver(err); };
      self->request(deps.storage, storage_bound, atom::claim_v, tenant_id, date)
        .then(
          [=](bool claimed) mutable {
            if (!claimed) {
              outcome.deliver(std::string("already sent"));
              return;
            }
            self->request(deps.composer, compose_bound, atom::brief_v, tenant_id, date)
              .then(
                [=](const composed_brief& b) mutable {
                  brief_delivery d;
                  d.tenant = tenant->id;
                  d.date = date;
                  d.chat = tenant->owner;
                  d.channel = tenant->channel;
                  d.recipient = tenant->owner;
                  d.brief = b;
                  d.template_name = tenant->brief_template.name;
                  d.template_language = tenant->brief_template.language;
                  self->request(deps.storage, storage_bound, atom::brief_v, d)
                    .then(
                      [=](const brief_queued& q) mutable {
                        if (!q.applied) {
                          outcome.deliver(std::string("already sent"));
                          return;
                        }
                        for (auto& item : q.outbox)
                          self->send(deps.senders[shard_of(item.chat, deps.senders.size())],
                                     atom::send_v, item);
                        outcome.deliver(q.state + " (" + b.how
                                        + (b.error.empty() ? "" : "; " + b.error) + ")");
                      },
                      fail);
                },
                fail);
          },
          fail);
      return outcome;
    },
  };
}

} // namespace parley
