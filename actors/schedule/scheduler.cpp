#include "actors/schedule/scheduler.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/brief_schedule.hpp"
#include "protocol/time_zone.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace parley {

namespace {

using self_ptr = scheduler_actor::stateful_pointer<scheduler_state>;

constexpr int64_t max_sleep_ms = 60000;  // a clock step is noticed within a minute
constexpr int64_t retry_ms = 60000;      // a firing that could not be recorded
constexpr int64_t day_ms = 86400000;

std::string label(const timer& t) {
  return (t.kind == timer::brief ? "brief for " : "schedule ") + t.name;
}

/// On to the first firing after `after`.
void set_next(timer& t, int64_t after) {
  t.in_flight = false;
  auto n = cron::next_after(t.when, t.zone, after);
  t.firing = t.due = n ? *n : 0;
  if (n)
    log::info("scheduler: next " + label(t) + " at " + tz::rfc3339_utc(*n));
}

/// The timer still waiting for the answer about its firing at `at`, if it
/// was not replaced meanwhile (a tenant's brief time changed).
timer* waiting(self_ptr self, const std::string& key, int64_t at) {
  auto it = self->state.timers.find(key);
  if (it == self->state.timers.end() || !it->second.in_flight || it->second.firing != at)
    return nullptr;
  return &it->second;
}

/// The latest firing after `after` and at or before `now`, if any.
std::optional<int64_t> latest_between(const timer& t, int64_t after, int64_t now) {
  std::optional<int64_t> latest;
  for (auto n = cron::next_after(t.when, t.zone, after); n && *n <= now;
       n = cron::next_after(t.when, t.zone, *n))
    latest = n;
  return latest;
}

/// Records the schedule's firing at `at` as an event that runs its workflow.
void fire_schedule(self_ptr self, const scheduler_deps& deps, const std::string& key,
                   const timer& t, int64_t at) {
  auto name = t.name;
  nlohmann::json payload = {{"schedule", name}, {"fired_at", tz::rfc3339_utc(at)}};
  self->request(deps.runner, std::chrono::seconds(30), atom::trigger_v, std::string("schedule"),
                name, t.workflow, std::to_string(at),
                payload.dump())
    .then(
      [=](int64_t event, bool created) {
        log::info("schedule " + name + " fired for " + tz::rfc3339_utc(at) + ": event "
                  + std::to_string(event) + (created ? "" : " (already recorded)"));
        if (auto* t = waiting(self, key, at))
          set_next(*t, at);
      },
      [=](const caf::error& err) {
        log::warn("schedule " + name + " could not record its firing, trying again in a"
                  " minute: " + describe(err));
        if (auto* t = waiting(self, key, at)) {
          t->in_flight = false;
          t->due = deps.now() + retry_ms;  // the same firing: its key keeps it single
        }
      });
}

/// Sends the tenant's brief for the local date of `at`; one that fails is
/// tried again each minute until the catch-up time.
void fire_brief(self_ptr self, std::shared_ptr<const config> cfg, const scheduler_deps& deps,
                const std::string& key, const timer& t, int64_t at) {
  auto tenant = t.name;
  auto date = tz::local_date(t.zone, at);
  auto until = brief::catch_up_end(t.zone, date, t.brief_at, cfg->brief.catch_up_until);
  // The morning brief's own bounds: the claim and the queueing (30 s
  // each) around the composer's (its deadline, two model turns, 5 s).
  auto bound = std::chrono::milliseconds(cfg->brief.deadline_ms + 2 * cfg->llm.timeout_ms)
               + std::chrono::seconds(70);
  self->request(deps.briefs, bound, atom::brief_v, tenant, date)
    .then(
      [=](const std::string& outcome) {
        log::info("brief for " + tenant + " on " + date + ": " + outcome);
        if (auto* t = waiting(self, key, at))
          set_next(*t, at);
      },
      [=](const caf::error& err) {
        auto* t = waiting(self, key, at);
        if (!t)
          return;
        auto now = deps.now();
        if (now + retry_ms < until) {
          log::warn("brief for " + tenant + " on " + date + " not sent yet, trying again in a"
                    " minute: " + describe(err));
          t->in_flight = false;
          t->due = now + retry_ms;
          return;
        }
        log::error("brief for " + tenant + " on " + date + " not sent, and its catch-up time"
                   " has passed: " + describe(err));
        set_next(*t, now);
      });
}

void fire(self_ptr self, std::shared_ptr<const config> cfg, const scheduler_deps& deps,
          const std::string& key, timer& t) {
  t.in_flight = true;
  if (t.kind == timer::brief)
    fire_brief(self, cfg, deps, key, t, t.firing);
  else
    fire_schedule(self, deps, key, t, t.firing);
}

/// A tenant whose brief can be sent somewhere: a time and an owner.
bool has_brief(const tenant_config& t) {
  return !t.brief_at.empty() && !t.owner.empty() && t.owner != "console";
}

/// One brief timer per tenant that has a brief, made anew when its time or
/// zone changed; at start, today's brief is due now when parley was down at
/// its time and the catch-up time has not passed.
void keep_brief_timers(self_ptr self, std::shared_ptr<const config> cfg,
                       const scheduler_deps& deps, bool starting) {
  std::set<std::string> keys;
  auto now = deps.now();
  for (auto& tenant : cfg->tenants->all()) {
    auto& tc = *tenant;
    if (!has_brief(tc))
      continue;
    auto key = "brief " + tc.id;
    keys.insert(key);
    auto it = self->state.timers.find(key);
    if (it != self->state.timers.end() && it->second.zone == tc.timezone
        && it->second.brief_at == tc.brief_at)
      continue;
    std::string error;
    auto when = cron::parse(brief::cron_of(tc.brief_at), error);
    if (!when) {
      log::error("brief for " + tc.id + ": " + error);
      continue;
    }
    timer t;
    t.kind = timer::brief;
    t.name = tc.id;
    t.zone = tc.timezone;
    t.brief_at = tc.brief_at;
    t.when = *when;
    // A daily brief: its latest firing lies within the last two days.
    auto missed = starting ? latest_between(t, now - 2 * day_ms, now) : std::nullopt;
    if (missed
        && now < brief::catch_up_end(t.zone, tz::local_date(t.zone, *missed), t.brief_at,
                                     cfg->brief.catch_up_until))
      t.firing = t.due = *missed;
    else
      set_next(t, now);
    self->state.timers[key] = t;
  }
  for (auto it = self->state.timers.begin(); it != self->state.timers.end();)
    if (it->second.kind == timer::brief && !keys.count(it->first))
      it = self->state.timers.erase(it);
    else
      ++it;
}

/// Where a schedule goes on from its last recorded firing (ms, 0: none).
void start_schedule(self_ptr self, const schedule_config& s, timer t, int64_t last,
                    int64_t now) {
  auto key = "schedule " + s.name;
  if (last == 0) {  // new: from now on
    set_next(t, now);
    self->state.timers[key] = t;
    return;
  }
  auto missed = cron::next_after(t.when, t.zone, last);
  if (!missed || *missed > now) {
    set_next(t, last);
    self->state.timers[key] = t;
    return;
  }
  // Down over one or more firings: the latest of them, once, or none.
  auto latest = *latest_between(t, last, now);  // `missed` at least
  if (s.catch_up) {
    log::info("schedule " + s.name + " missed its firing at " + tz::rfc3339_utc(latest)
              + " while parley was down: running it now (catch_up)");
    t.firing = t.due = latest;
  } else {
    log::info("schedule " + s.name + " missed its firing at " + tz::rfc3339_utc(latest)
              + " while parley was down: skipped (catch_up is off)");
    set_next(t, now);
  }
  self->state.timers[key] = t;
}

/// Each schedule's timer, from its last firing recorded by the runner.
void start_schedules(self_ptr self, std::shared_ptr<const config> cfg,
                     const scheduler_deps& deps) {
  auto& all = cfg->automation.schedules;
  if (!deps.runner || all.empty())
    return self->send(self, atom::tick_v);
  auto left = std::make_shared<size_t>(all.size());
  for (auto& s : all) {
    timer t;
    t.kind = timer::schedule;
    t.name = s.name;
    t.zone = s.timezone;
    t.workflow = s.workflow;
    std::string error;
    auto when = cron::parse(s.cron, error);  // the config checked it
    if (!when) {
      log::error("schedule " + s.name + ": " + error);
      if (--*left == 0)
        self->send(self, atom::tick_v);
      continue;
    }
    t.when = *when;
    auto start = [=, sc = s](int64_t last) {
      start_schedule(self, sc, t, last, deps.now());
      if (--*left == 0)
        self->send(self, atom::tick_v);
    };
    self->request(deps.runner, std::chrono::seconds(60), atom::status_v, s.name)
      .then(start, [=, name = s.name](const caf::error& err) {
        log::error("schedule " + name + " cannot read its last firing: " + describe(err)
                   + "; it starts from now");
        start(0);
      });
  }
}

} // namespace

scheduler_actor::behavior_type
scheduler(scheduler_actor::stateful_pointer<scheduler_state> self,
          std::shared_ptr<const config> cfg, scheduler_deps deps) {
  keep_brief_timers(self, cfg, deps, /*starting=*/true);
  start_schedules(self, cfg, deps);
  return {
    [=](atom::tick) {
      keep_brief_timers(self, cfg, deps, /*starting=*/false);
      auto now = deps.now();
      for (auto& [key, t] : self->state.timers)
        if (!t.in_flight && t.due != 0 && t.due <= now)
          fire(self, cfg, deps, key, t);
      int64_t wait = max_sleep_ms;
      for (auto& [key, t] : self->state.timers)
        if (!t.in_flight && t.due != 0)
          wait = std::min(wait, std::max<int64_t>(t.due - now, 0));
      self->delayed_send(self, std::chrono::milliseconds(wait + 5), atom::tick_v);
    },
  };
}

} // namespace parley
