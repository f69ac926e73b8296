#include "actors/schedule/scheduler.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/brief_schedule.hpp"
#include "protocol/time_zone.hpp"

#include <algorithm>

namespace parley {

namespace {

using self_ptr = scheduler_actor::stateful_pointer<scheduler_state>;

constexpr int64_t max_sleep_ms = 60000;
constexpr std::chrono::seconds storage_bound{30};

/// A tenant whose brief can be sent somewhere: a time and an owner.
bool has_brief(const tenant_config& t) {
  return !t.brief_at.empty() && !t.owner.empty() && t.owner != "console";
}

void settle(self_ptr self, const std::string& tenant, const std::string& date,
            const std::string& why) {
  self->state.firing.erase(tenant);
  self->state.last_date[tenant] = date;
  log::info("brief for " + tenant + " on " + date + ": " + why);
}

/// Claimed: gather and compose, then queue it with its outbox row.
void compose_and_queue(self_ptr self, const config& cfg, const scheduler_deps& deps,
                       tenant_ptr tenant_now, const std::string& date) {
  auto& t = *tenant_now;
  auto bound = std::chrono::milliseconds(cfg.brief.deadline_ms + 2 * cfg.llm.timeout_ms)
               + std::chrono::seconds(5);
  auto tenant = t.id;
  auto give_up = [=](const caf::error& err) {
    // Still claimed as composing: the next tick (or start-up) tries again.
    self->state.firing.erase(tenant);
    log::warn("brief for " + tenant + " on " + date + " not queued yet: " + describe(err));
  };
  self->request(deps.composer, bound, atom::brief_v, t.id, date)
    .then(
      [=](const composed_brief& b) {
        auto& t = *tenant_now;
        brief_delivery d;
        d.tenant = t.id;
        d.date = date;
        d.chat = t.owner;
        d.channel = t.channel;
        d.recipient = t.owner;
        d.brief = b;
        d.template_name = t.brief_template.name;
        d.template_language = t.brief_template.language;
        self->request(deps.storage, storage_bound, atom::brief_v, d)
          .then(
            [=](const brief_queued& q) {
              if (!q.applied)
                return settle(self, tenant, date, "already sent");
              for (auto& item : q.outbox)
                self->send(deps.senders[shard_of(item.chat, deps.senders.size())],
                           atom::send_v, item);
              settle(self, tenant, date,
                     q.state + " (" + b.how + (q.error.empty() ? "" : "; " + q.error) + ")");
            },
            give_up);
      },
      give_up);
}

void fire(self_ptr self, const config& cfg, const scheduler_deps& deps,
          tenant_ptr tenant_now, const std::string& date) {
  auto& t = *tenant_now;
  self->state.firing.insert(t.id);
  auto tenant = t.id;
  self->request(deps.storage, storage_bound, atom::claim_v, t.id, date)
    .then(
      [=, &cfg](bool claimed) {
        if (!claimed)
          return settle(self, tenant, date, "already sent");
        compose_and_queue(self, cfg, deps, tenant_now, date);
      },
      [=](const caf::error& err) {
        self->state.firing.erase(tenant);
        log::warn("brief for " + tenant + ": cannot claim " + date + ": " + describe(err));
      });
}

void tick(self_ptr self, const config& cfg, const scheduler_deps& deps) {
  auto now = deps.now();
  auto next = now + max_sleep_ms;
  for (auto& tenant : cfg.tenants->all()) {
    auto& t = *tenant;
    if (!has_brief(t))
      continue;
    auto check = brief::check_due(now, t.timezone, t.brief_at, cfg.brief.catch_up_until,
                                  self->state.last_date[t.id]);
    if (check.due && !self->state.firing.count(t.id))
      fire(self, cfg, deps, tenant, check.date);
    if (!check.due) {
      next = std::min(next, check.next_ms);
      auto& said = self->state.announced[t.id];
      if (said != check.next_ms) {
        said = check.next_ms;
        log::info("scheduler: next brief for " + t.id + " at " + tz::rfc3339_utc(check.next_ms));
      }
    }
  }
  auto sleep = std::clamp<int64_t>(next - now, 1000, max_sleep_ms);
  self->delayed_send(self, std::chrono::milliseconds(sleep), atom::tick_v);
}

} // namespace

scheduler_actor::behavior_type
scheduler(scheduler_actor::stateful_pointer<scheduler_state> self,
          std::shared_ptr<const config> cfg, scheduler_deps deps) {
  self->send(self, atom::tick_v);
  return {
    [=](atom::tick) { tick(self, *cfg, deps); },
  };
}

} // namespace parley
