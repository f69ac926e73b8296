#include "actors/schedule/cron_schedules.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/cron.hpp"
#include "protocol/time_zone.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

namespace parley {

namespace {

using self_ptr = cron_actor::stateful_pointer<cron_state>;

/// The first firing of `s` after `after` (its expression was parsed once,
/// at start; the config checked it).
std::optional<int64_t> next_of(self_ptr self, const schedule_config& s, int64_t after) {
  auto parsed = self->state.parsed.find(s.name);
  if (parsed == self->state.parsed.end())
    return std::nullopt;
  return cron::next_after(parsed->second, s.timezone, after);
}

void announce(const schedule_config& s, int64_t at) {
  log::info("schedule " + s.name + ": next firing at " + tz::rfc3339_utc(at));
}

/// Stores the firing at `at` through the runner; the next one is set once
/// it is stored (a failure tries the same firing again: its key keeps it
/// single).
void fire(self_ptr self, std::shared_ptr<const config> cfg, workflow_runner_actor runner,
          const schedule_config& s, int64_t at) {
  self->state.next.erase(s.name);  // in flight
  nlohmann::json payload = {{"schedule", s.name}, {"fired_at", tz::rfc3339_utc(at)}};
  auto name = s.name;
  self->request(runner, std::chrono::seconds(30), atom::trigger_v, std::string("schedule"),
                s.name, s.workflow, std::to_string(at), payload.dump())
    .then(
      [=](int64_t event, bool created) {
        log::info("schedule " + name + " fired for " + tz::rfc3339_utc(at) + ": event "
                  + std::to_string(event) + (created ? "" : " (already recorded)"));
        for (auto& sc : cfg->automation.schedules)
          if (sc.name == name)
            if (auto n = next_of(self, sc, at)) {
              self->state.next[name] = *n;
              announce(sc, *n);
            }
      },
      [=](const caf::error& err) {
        log::warn("schedule " + name + " could not record its firing, retrying: "
                  + describe(err));
        self->state.next[name] = at;  // the same firing, at the next look
      });
}

/// Where each schedule goes on from its last recorded firing (ms, 0: none).
void start_from(self_ptr self, std::shared_ptr<const config> cfg, workflow_runner_actor runner,
                const schedule_config& s, int64_t last, int64_t now) {
  if (last == 0) {  // new: from now on
    if (auto n = next_of(self, s, now)) {
      self->state.next[s.name] = *n;
      announce(s, *n);
    }
    return;
  }
  auto missed = next_of(self, s, last);
  if (!missed || *missed > now) {
    if (missed) {
      self->state.next[s.name] = *missed;
      announce(s, *missed);
    }
    return;
  }
  // Down over one or more firings: the latest of them, once, or none.
  auto latest = *missed;
  for (int i = 0; i < 100000; ++i) {
    auto n = next_of(self, s, latest);
    if (!n || *n > now)
      break;
    latest = *n;
  }
  if (s.catch_up) {
    log::info("schedule " + s.name + " missed its firing at " + tz::rfc3339_utc(latest)
              + " while parley was down: running it now (catch_up)");
    return fire(self, cfg, runner, s, latest);
  }
  log::info("schedule " + s.name + " missed its firing at " + tz::rfc3339_utc(latest)
            + " while parley was down: skipped (catch_up is off)");
  if (auto n = next_of(self, s, now)) {
    self->state.next[s.name] = *n;
    announce(s, *n);
  }
}

} // namespace

cron_actor::behavior_type cron_schedules(cron_actor::stateful_pointer<cron_state> self,
                                         std::shared_ptr<const config> cfg,
                                         workflow_runner_actor runner,
                                         std::function<int64_t()> now) {
  for (auto& s : cfg->automation.schedules) {
    std::string ignored;
    if (auto parsed = cron::parse(s.cron, ignored))
      self->state.parsed.emplace(s.name, *parsed);
  }
  // The last recorded firing of each schedule, then the clock.
  auto left = std::make_shared<size_t>(cfg->automation.schedules.size());
  for (auto& s : cfg->automation.schedules) {
    auto name = s.name;
    self->request(runner, std::chrono::seconds(60), atom::status_v, name)
      .then(
        [=](int64_t last) {
          for (auto& sc : cfg->automation.schedules)
            if (sc.name == name)
              start_from(self, cfg, runner, sc, last, now());
          if (--*left == 0)
            self->send(self, atom::tick_v);
        },
        [=](const caf::error& err) {
          log::error("schedule " + name + " cannot read its last firing: " + describe(err)
                     + "; it starts from now");
          for (auto& sc : cfg->automation.schedules)
            if (sc.name == name)
              start_from(self, cfg, runner, sc, 0, now());
          if (--*left == 0)
            self->send(self, atom::tick_v);
        });
  }
  return {
    [=](atom::tick) {
      auto t = now();
      for (auto& s : cfg->automation.schedules) {
        auto n = self->state.next.find(s.name);
        if (n != self->state.next.end() && n->second <= t)
          fire(self, cfg, runner, s, n->second);
      }
      int64_t wait = 60'000;  // a clock step is noticed within a minute
      for (auto& [name, at] : self->state.next)
        wait = std::min(wait, std::max<int64_t>(at - t, 0));
      self->delayed_send(self, std::chrono::milliseconds(wait + 5), atom::tick_v);
    },
  };
}

} // namespace parley
