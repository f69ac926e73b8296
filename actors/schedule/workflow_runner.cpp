#include "actors/schedule/workflow_runner.hpp"

#include "actors/log.hpp"
#include "protocol/workflow_template.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace parley {

namespace {

using self_ptr = workflow_runner_actor::stateful_pointer<workflow_runner_state>;
using json = nlohmann::json;
using kind_t = workflow_step::kind_t;
using storage::step_effect;

/// Everything one step's handlers share.
struct step_run {
  self_ptr self;
  std::shared_ptr<const config> cfg;
  std::shared_ptr<const workflow_runner_deps> deps;
  workflow_event event;
  const workflow_config* wf;
  int n;  ///< the step, from 1

  const workflow_step& step() const { return wf->steps[n - 1]; }
  bool last() const { return n == static_cast<int>(wf->steps.size()); }
};

void advance(step_run run);
void look_for_due(self_ptr self, std::shared_ptr<const config> cfg,
                  std::shared_ptr<const workflow_runner_deps> deps);

/// Looks again after `ms` unless a look is already scheduled.
void look_again(self_ptr self, int64_t ms) {
  if (self->state.tick_set)
    return;
  self->state.tick_set = true;
  self->delayed_send(self, std::chrono::milliseconds(std::max<int64_t>(ms, 5)), atom::tick_v);
}

/// The step failed: retried after the back-off, or the event fails.
void step_failed(const step_run& run, const std::string& error) {
  auto& a = run.cfg->automation;
  auto delay = static_cast<int64_t>(a.backoff_ms)
               << std::min(run.event.attempts, 12);  // doubling, bounded
  delay = std::min<int64_t>(delay, 3'600'000);
  auto& st = run.self->state;
  st.running.erase(run.event.id);
  try {
    bool gone = st.db->with([&](storage::store& s) {
      return s.fail_step(run.event.id, run.n, to_string(run.step().kind), error,
                         a.max_attempts, delay);
    });
    log::warn("workflow " + run.wf->name + " event " + std::to_string(run.event.id) + " step "
              + std::to_string(run.n) + " failed"
              + (gone ? " for good: " : ", retrying: ") + error);
    if (!gone)
      look_again(run.self, delay);
  } catch (const std::exception& e) {
    log::warn("workflow runner cannot record a failed step, retrying: " + std::string(e.what()));
    look_again(run.self, 1000);
  }
}

/// The step failed for good (a refusal, a denial): no retry.
void step_refused(const step_run& run, const std::string& why) {
  auto& st = run.self->state;
  st.running.erase(run.event.id);
  try {
    st.db->with([&](storage::store& s) {
      return s.fail_step(run.event.id, run.n, to_string(run.step().kind), why, 1, 0);
    });
    log::warn("workflow " + run.wf->name + " event " + std::to_string(run.event.id) + " step "
              + std::to_string(run.n) + " refused: " + why);
  } catch (const std::exception& e) {
    log::warn("workflow runner cannot record a refused step, retrying: " + std::string(e.what()));
    look_again(run.self, 1000);
  }
}

/// How often a step that waits for the owner's approval looks again.
constexpr int64_t approval_poll_ms = 2000;

void step_done(step_run run, const std::string& output,
               const std::vector<std::string>& missing, step_effect effect = {});

/// A side effect (a shell command, an HTTP call) through the tenant's
/// policy gate like the owner's own `shell:` — an allowlisted command runs
/// at once; others wait for the owner's approval (asked once, keyed by the
/// event and the step, so a step run again finds its approval), and the
/// step goes on with the approved action's output; a denial, an expiry or
/// a refusal fails the event.
void gated_step(step_run run, const tenant_config& tenant, const std::string& kind,
                const std::string& line) {
  auto& st = run.self->state;
  if (run.event.waiting_approval > 0) {
    std::optional<approval_record> a;
    try {
      a = st.db->with([&](storage::store& s) { return s.approval(run.event.waiting_approval); });
    } catch (const std::exception& e) {
      return step_failed(run, std::string("reading its approval: ") + e.what());
    }
    auto n = std::to_string(run.event.waiting_approval);
    if (!a)
      return step_refused(run, "approval " + n + " no longer exists");
    if (a->state == "executed")
      return step_done(run, a->outcome, {});
    if (a->state == "denied" || a->state == "expired" || a->state == "failed")
      return step_refused(run, "approval " + n + " " + a->state
                                 + (a->outcome.empty() ? "" : ": " + a->outcome));
    st.running.erase(run.event.id);  // pending, or approved and running
    try {
      st.db->with([&](storage::store& s) {
        s.snooze_workflow_event(run.event.id, approval_poll_ms);
        return true;
      });
    } catch (const std::exception&) {
      // Not snoozed: it is looked at again sooner, which is harmless.
    }
    return look_again(run.self, approval_poll_ms);
  }
  if (!run.deps->gate)
    return step_refused(run, "no policy gate is running");
  auto channel = tenant.channel.empty() ? std::string("meta") : tenant.channel;
  action_request req;
  req.tenant = tenant.id;
  req.chat = tenant.owner;
  req.channel = channel;
  req.requested_by = tenant.owner;  // on the owner's behalf: the owner's rules
  req.language = tenant.language;
  req.kind = kind;
  req.line = line;
  // One approval per step and retry: negative keys never meet a message's
  // event id; a retried event asks again rather than find its denial.
  req.event_id = -(run.event.id * 100000 + (run.event.retries % 100) * 1000 + run.n);
  run.self->request(run.deps->gate, std::chrono::seconds(60), atom::check_v, req)
    .then(
      [run, tenant = tenant, channel](const policy_decision& d) {
        if (d.verdict == "allow")
          return step_done(run, d.reply, {});
        if (d.verdict != "pending")
          return step_refused(run, d.reason.empty() ? d.reply : d.reason);
        auto prompt = outbox_item::to(0, tenant.id, tenant.owner, channel, tenant.owner,
                                      d.reply);
        auto& st = run.self->state;
        st.running.erase(run.event.id);
        try {
          auto rows = st.db->with([&](storage::store& s) {
            return s.wait_for_approval(run.event.id, run.n, to_string(run.step().kind),
                                       d.approval_id, prompt, approval_poll_ms);
          });
          for (auto& row : rows.value_or(std::vector<outbox_item>{}))
            if (!run.deps->senders.empty())
              run.self->send(run.deps->senders[shard_of(row.chat, run.deps->senders.size())],
                             atom::send_v, row);
        } catch (const std::exception& e) {
          log::warn("workflow runner cannot record a waiting step, retrying: "
                    + std::string(e.what()));
        }
        look_again(run.self, approval_poll_ms);
      },
      [run](const caf::error& err) { step_failed(run, "the policy gate: " + describe(err)); });
}

/// The step is done: recorded with its effect, then the next one runs.
void step_done(step_run run, const std::string& output,
               const std::vector<std::string>& missing, step_effect effect) {
  auto& st = run.self->state;
  std::optional<std::vector<outbox_item>> rows;
  try {
    rows = st.db->with([&](storage::store& s) {
      return s.complete_step(run.event.id, run.n, to_string(run.step().kind), output, missing,
                             run.last(), effect);
    });
  } catch (const std::exception& e) {
    // Not recorded: the step runs again later (an llm step asks again; a
    // send or a task was not written, its row goes with the record).
    log::warn("workflow runner cannot record a step, retrying: " + std::string(e.what()));
    st.running.erase(run.event.id);
    look_again(run.self, 1000);
    return;
  }
  for (auto& row : rows.value_or(std::vector<outbox_item>{}))
    if (!run.deps->senders.empty())
      run.self->send(run.deps->senders[shard_of(row.chat, run.deps->senders.size())],
                     atom::send_v, row);
  if (run.last()) {
    st.running.erase(run.event.id);
    log::info("workflow " + run.wf->name + " event " + std::to_string(run.event.id)
              + " completed");
    return;
  }
  run.event.outputs.push_back(output);
  run.event.attempts = 0;
  run.event.waiting_approval = 0;
  ++run.n;
  advance(std::move(run));
}

/// A note: a markdown file in the context hub's inbox, named after the
/// event and the step, so that a step run again writes the same file.
std::string write_note(const step_run& run, const std::string& text) {
  namespace fs = std::filesystem;
  fs::path inbox = fs::path(run.deps->context_dir) / "inbox";
  fs::create_directories(inbox);
  auto now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
  auto name = std::string(day) + "-" + run.wf->name + "-event" + std::to_string(run.event.id)
              + "-step" + std::to_string(run.n) + ".md";
  auto partial = inbox / (name + ".partial");
  {
    std::ofstream out(partial, std::ios::trunc);
    out << "# " << run.wf->name << " (event " << run.event.id << ")\n\n" << text << "\n";
    if (!out)
      throw std::runtime_error("cannot write " + partial.string());
  }
  fs::rename(partial, inbox / name);
  return "inbox/" + name;
}

void advance(step_run run) {
  auto& step = run.step();
  json payload = json::parse(run.event.payload, nullptr, false);
  auto expand = [&](const std::string& tpl) {
    return workflow::expand(tpl, payload, run.event.outputs);
  };
  auto tenant = run.cfg->tenant_by_id(run.wf->tenant);
  if (!tenant)
    return step_failed(run, "the workflow's tenant '" + run.wf->tenant + "' no longer exists");
  switch (step.kind) {
    case kind_t::llm: {
      auto prompt = expand(step.text);
      auto fallback = [run, prompt](const std::string& why) {
        if (!run.step().fallback)
          return step_failed(run, why);
        auto text = workflow::expand(*run.step().fallback,
                                     json::parse(run.event.payload, nullptr, false),
                                     run.event.outputs);
        auto missing = prompt.missing;
        missing.insert(missing.end(), text.missing.begin(), text.missing.end());
        step_done(run, text.text, missing);
      };
      if (run.deps->llm.empty())
        return fallback("no language model is configured");
      llm_request req;
      req.system_prompt = tenant->system_prompt;
      req.messages.push_back({"user", prompt.text});
      auto& worker = run.deps->llm[run.event.id % run.deps->llm.size()];
      auto bound = std::chrono::milliseconds(run.cfg->llm.timeout_ms * 2 + 1000);
      run.self->request(worker, bound, atom::generate_v, std::move(req))
        .then(
          [run, prompt, fallback](const llm_answer& a) {
            if (a.text.empty())
              return fallback("the model gave no text");
            step_done(run, a.text, prompt.missing);
          },
          [fallback](const caf::error& err) { fallback("the model failed: " + describe(err)); });
      return;
    }
    case kind_t::send: {
      // Without a text of its own a send sends the previous step's output.
      auto text = step.text.empty() ? workflow::expansion{run.event.outputs.back(), {}}
                                    : expand(step.text);
      if (text.text.empty())
        return step_failed(run, "there is no text to send");
      auto to = step.to == "owner" ? tenant->owner : step.to;
      if (to.empty())
        return step_failed(run, "the tenant has no owner to send to");
      step_effect effect;
      auto channel = tenant->channel.empty() ? std::string("meta") : tenant->channel;
      effect.send = outbox_item::to(0, tenant->id, to, channel, to, text.text);
      return step_done(run, text.text, text.missing, effect);
    }
    case kind_t::task: {
      auto title = expand(step.text);
      if (title.text.empty())
        return step_failed(run, "the task's title is empty");
      step_effect effect;
      effect.task_tenant = tenant->id;
      effect.task_chat = tenant->owner;
      effect.task_title = title.text;
      return step_done(run, title.text, title.missing, effect);
    }
    case kind_t::note: {
      auto text = expand(step.text);
      try {
        return step_done(run, write_note(run, text.text), text.missing);
      } catch (const std::exception& e) {
        return step_failed(run, std::string("the note could not be written: ") + e.what());
      }
    }
    case kind_t::shell:
      return gated_step(std::move(run), *tenant, "shell", step.text);
    case kind_t::http: {
      // The body's values are escaped as JSON strings; the key lets the
      // receiver tell a repeated call from a second one.
      auto body = workflow::expand(step.text, payload, run.event.outputs,
                                   workflow::escaping::json);
      auto key = "parley-" + std::to_string(run.event.id) + "-" + std::to_string(run.n);
      auto line = json{{"method", step.method}, {"url", step.url}, {"body", body.text},
                       {"key", key}}.dump();
      return gated_step(std::move(run), *tenant, "http", line);
    }
  }
}

void look_for_due(self_ptr self, std::shared_ptr<const config> cfg,
                  std::shared_ptr<const workflow_runner_deps> deps) {
  auto& st = self->state;
  std::vector<workflow_event> due;
  std::optional<int64_t> next;
  auto busy = [&] { return std::vector<int64_t>(st.running.begin(), st.running.end()); };
  try {
    due = st.db->with([&](storage::store& s) { return s.due_workflow_events(busy(), 16); });
  } catch (const std::exception& e) {
    log::warn("workflow runner cannot read its events, retrying: " + std::string(e.what()));
    return look_again(self, 1000);
  }
  for (auto& e : due) {
    if (!st.running.insert(e.id).second)
      continue;
    auto* wf = cfg->automation.workflow(e.workflow);
    step_run run{self, cfg, deps, e, wf, static_cast<int>(e.outputs.size()) + 1};
    if (!wf) {
      st.running.erase(e.id);
      try {
        st.db->with([&](storage::store& s) {
          return s.fail_step(e.id, run.n, "?", "no workflow '" + e.workflow + "' in the config",
                             1, 0);
        });
      } catch (const std::exception&) {
      }
      continue;
    }
    if (run.n > static_cast<int>(wf->steps.size())) {
      // Every step is done (the workflow lost steps since): nothing to run.
      st.running.erase(e.id);
      continue;
    }
    advance(std::move(run));
  }
  if (due.size() == 16)
    return look_again(self, 5);
  try {
    next = st.db->with([&](storage::store& s) { return s.next_workflow_due_ms(busy()); });
  } catch (const std::exception&) {
    next = 1000;
  }
  if (next)
    look_again(self, *next);
}

} // namespace

workflow_runner_actor::behavior_type
workflow_runner(workflow_runner_actor::stateful_pointer<workflow_runner_state> self,
                std::shared_ptr<const config> cfg, std::string conninfo,
                workflow_runner_deps deps_in) {
  self->state.db = std::make_unique<store_handle>(std::move(conninfo));
  auto deps = std::make_shared<const workflow_runner_deps>(std::move(deps_in));
  // Whatever a stopped process left open continues now.
  look_again(self, 0);
  return {
    [=](atom::trigger, const std::string& kind, const std::string& name,
        const std::string& workflow, const std::string& key,
        const std::string& payload) -> caf::result<int64_t, bool> {
      std::pair<int64_t, bool> stored;
      try {
        stored = self->state.db->with([&](storage::store& s) {
          return s.store_trigger(kind, name, workflow, key, payload);
        });
      } catch (const std::exception& e) {
        return make_error(errc::storage_unavailable, std::string("storing a trigger: ") + e.what());
      }
      if (stored.second)
        self->send(self, atom::tick_v);  // run it once the caller has its answer
      return {stored.first, stored.second};
    },
    [=](atom::list, const std::string& kind, const std::string& status, int64_t before,
        int32_t limit) -> caf::result<std::string> {
      return guarded_query(*self->state.db, "reading events", [&](storage::store& s) {
        return s.inspect_workflow_events(kind, status, before, limit);
      });
    },
    [=](atom::inspect, int64_t id) -> caf::result<std::string> {
      std::optional<std::string> found;
      try {
        found = self->state.db->with([&](storage::store& s) { return s.inspect_workflow_event(id); });
      } catch (const std::exception& e) {
        return make_error(errc::storage_unavailable, std::string("reading an event: ") + e.what());
      }
      if (!found)
        return make_error(errc::not_found, "no event " + std::to_string(id));
      return *found;
    },
    [=](atom::retry, int64_t id) -> caf::result<std::string> {
      std::optional<std::string> shown;
      try {
        bool again = self->state.db->with([&](storage::store& s) { return s.retry_workflow_event(id); });
        shown = self->state.db->with([&](storage::store& s) { return s.inspect_workflow_event(id); });
        if (!shown)
          return make_error(errc::not_found, "no event " + std::to_string(id));
        if (!again)
          return make_error(errc::conflict, "event " + std::to_string(id) + " has not failed");
      } catch (const std::exception& e) {
        return make_error(errc::storage_unavailable, std::string("retrying an event: ") + e.what());
      }
      self->send(self, atom::tick_v);
      return *shown;
    },
    [=](atom::status, const std::string& schedule) -> caf::result<int64_t> {
      return guarded_query(*self->state.db, "reading a schedule", [&](storage::store& s) {
        return s.last_firing_ms(schedule);
      });
    },
    [=](atom::tick) {
      self->state.tick_set = false;
      look_for_due(self, cfg, deps);
    },
  };
}

} // namespace parley
