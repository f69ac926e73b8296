#include "actors/session.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/approval_text.hpp"
#include "protocol/commands.hpp"
#include "protocol/whatsapp_text.hpp"

namespace parley {

namespace {

using self_ptr = session_actor::stateful_pointer<session_state>;

void next(self_ptr self, const session_deps& deps, router_actor router);

/// The channel a reply leaves through.
std::string channel_of(const inbound_message& m, const tenant_config& t) {
  return m.provider == "console" ? "console" : t.channel;
}

void finish(self_ptr self, const session_deps& deps, router_actor router,
            completion c) {
  auto& st = self->state;
  auto& store = deps.pick(deps.storage, st.key.chat);
  auto channel = channel_of(c.message, st.tenant);
  self->request(store, std::chrono::seconds(30), atom::complete_v, c, channel)
    .then(
      [=](const completion_result& r) {
        auto& st = self->state;
        if (deps.log_text)
          log::info("text " + st.key.tenant + "/" + log::who(c.message.sender)
                    + " [" + to_string(c.path) + "] \"" + c.message.text
                    + "\" -> \"" + r.reply + "\"");
        if (r.applied && c.path != answer_path::ignored) {
          st.memory.push_back({"user", c.message.text});
          st.memory.push_back({"assistant", r.reply});
          while (st.memory.size() > static_cast<size_t>(st.tenant.memory))
            st.memory.pop_front();
          auto& out = deps.pick(deps.senders, st.key.chat);
          for (auto& item : r.outbox)
            self->send(out, atom::send_v, item);
        }
        st.queue.pop_front();
        st.busy = false;
        next(self, deps, router);
      },
      [=](const caf::error& err) {
        // Storage is down: keep the message at the head and try again; it is
        // committed, so nothing is lost if we crash meanwhile.
        log::warn("session " + self->state.key.tenant + "/"
                  + log::who(self->state.key.chat)
                  + " cannot complete, retrying: " + describe(err));
        self->state.busy = false;
        self->delayed_send(self, deps.storage_retry, atom::tick_v, uint64_t{0});
      });
}

void answer_free_text(self_ptr self, const session_deps& deps,
                      router_actor router, completion c);

/// How long the gate may take: it may run a command to its timeout first.
std::chrono::milliseconds gate_bound(const tenant_config& t) {
  return std::chrono::milliseconds(t.shell.timeout_ms) + std::chrono::seconds(30);
}

/// The gate's verdict on `shell: <line>` becomes the reply: the output, the
/// approval request, or the refusal.
void ask_gate(self_ptr self, const session_deps& deps, router_actor router,
              completion c, const std::string& line) {
  auto& st = self->state;
  c.path = answer_path::action;
  if (!deps.gate) {
    c.reply = denied_reply(st.tenant.language, line, "no policy gate is running");
    return finish(self, deps, router, std::move(c));
  }
  action_request req;
  req.tenant = st.tenant.id;
  req.chat = st.key.chat;
  req.channel = channel_of(c.message, st.tenant);
  req.requested_by = c.message.sender;
  req.language = st.tenant.language;
  req.event_id = c.message.event_id;
  req.line = line;
  self->request(deps.gate, gate_bound(st.tenant), atom::check_v, std::move(req))
    .then(
      [=](const policy_decision& d) mutable {
        c.reply = d.reply;
        c.error = d.verdict == "deny" ? d.reason : "";
        finish(self, deps, router, std::move(c));
      },
      [=](const caf::error& err) mutable {
        c.reply = denied_reply(self->state.tenant.language, line,
                               "the policy gate is unavailable; try again");
        c.error = describe(err);
        finish(self, deps, router, std::move(c));
      });
}

/// `ja 12` / `nee 12` (or a bare `ja` for the only pending approval). With
/// nothing pending a bare word is ordinary conversation.
void decide_approval(self_ptr self, const session_deps& deps,
                     router_actor router, completion c, bool approve, int id) {
  auto& st = self->state;
  if (!deps.gate)
    return answer_free_text(self, deps, router, std::move(c));
  approval_reply reply;
  reply.tenant = st.tenant.id;
  reply.id = id;
  reply.approve = approve;
  reply.by = c.message.sender;
  reply.via = c.message.kind == "interactive" || c.message.kind == "button"
                ? "button"
                : "chat";
  reply.language = st.tenant.language;
  self->request(deps.gate, gate_bound(st.tenant), atom::resolve_v, std::move(reply))
    .then(
      [=](const approval_outcome& o) mutable {
        if (o.status == "none_pending")
          return answer_free_text(self, deps, router, std::move(c));
        c.path = answer_path::action;
        c.reply = o.reply;
        finish(self, deps, router, std::move(c));
      },
      [=](const caf::error& err) mutable {
        c.path = answer_path::action;
        c.reply = self->state.tenant.language == "nl"
                    ? "De goedkeuring kon nu niet worden verwerkt; probeer het zo opnieuw."
                    : "The approval could not be handled right now; try again shortly.";
        c.error = describe(err);
        finish(self, deps, router, std::move(c));
      });
}

void answer(self_ptr self, const session_deps& deps, router_actor router) {
  auto& st = self->state;
  auto& m = st.queue.front();
  completion c;
  c.message = m;
  c.language = st.tenant.language;
  c.started_us = steady_us();
  if (st.tenant.kind == "personal" && !st.tenant.owner.empty()
      && m.sender != st.tenant.owner && m.provider != "console") {
    log::info("ignoring " + log::who(m.sender) + " on personal tenant "
              + st.tenant.id + ": not the owner");
    c.path = answer_path::ignored;
    c.error = "sender is not the owner";
    return finish(self, deps, router, std::move(c));
  }
  if (m.text.empty()) {
    c.path = answer_path::fallback;
    c.reply = no_text_reply(st.tenant.language, m.kind);
    c.error = "no text in a " + m.kind + " message";
    return finish(self, deps, router, std::move(c));
  }
  auto cmd = parse_command(m.text);
  switch (cmd.kind) {
    case command_kind::none:
      return answer_free_text(self, deps, router, std::move(c));
    case command_kind::shell:
      return ask_gate(self, deps, router, std::move(c), cmd.title);
    case command_kind::approve:
    case command_kind::deny:
      return decide_approval(self, deps, router, std::move(c),
                             cmd.kind == command_kind::approve, cmd.number);
    default:
      c.path = answer_path::command;
      c.command_line = m.text;
      return finish(self, deps, router, std::move(c));
  }
}

/// Anything that is not a command: the LLM, or the deterministic fallback.
void answer_free_text(self_ptr self, const session_deps& deps,
                      router_actor router, completion c) {
  auto& st = self->state;
  auto& m = c.message;
  if (deps.llm.empty()) {
    c.path = answer_path::fallback;
    c.reply = fallback_reply(st.tenant.language, false);
    c.error = "no LLM configured";
    return finish(self, deps, router, std::move(c));
  }
  if (m.provider == "meta")
    self->send(deps.pick(deps.senders, st.key.chat), atom::mark_read_v,
               st.tenant.id, m.message_id);
  llm_request req;
  req.system_prompt = st.tenant.system_prompt;
  req.messages.assign(st.memory.begin(), st.memory.end());
  req.messages.push_back({"user", m.text});
  // The LLM actor gives up after its own timeout (and one retry on 429/5xx);
  // this bound only guards against a worker that never answers.
  auto bound = deps.llm_timeout * 2 + std::chrono::seconds(1);
  self
    ->request(deps.pick(deps.llm, st.key.chat), bound, atom::generate_v,
              std::move(req))
    .then(
      [=](const std::string& text) mutable {
        c.path = answer_path::llm;
        c.reply = markdown_to_whatsapp(text);
        finish(self, deps, router, std::move(c));
      },
      [=](const caf::error& err) mutable {
        c.path = answer_path::fallback;
        c.reply = fallback_reply(self->state.tenant.language, true);
        c.error = describe(err);
        finish(self, deps, router, std::move(c));
      });
}

void next(self_ptr self, const session_deps& deps, router_actor router) {
  auto& st = self->state;
  if (!st.loaded || st.busy)
    return;
  if (st.queue.empty()) {
    if (st.stopping)
      return self->quit();
    auto gen = ++st.generation;
    self->delayed_send(self, deps.idle, atom::tick_v, gen);
    return;
  }
  st.busy = true;
  answer(self, deps, router);
}

void load_memory(self_ptr self, const session_deps& deps, router_actor router) {
  auto& st = self->state;
  self
    ->request(deps.pick(deps.storage, st.key.chat), std::chrono::seconds(30),
              atom::load_v, st.key, static_cast<int32_t>(st.tenant.memory))
    .then(
      [=](const std::vector<memory_entry>& entries) {
        auto& st = self->state;
        st.memory.assign(entries.begin(), entries.end());
        st.loaded = true;
        next(self, deps, router);
      },
      [=](const caf::error& err) {
        log::warn("session cannot load its memory, retrying: "
                  + describe(err));
        self->delayed_send(self, deps.storage_retry, atom::tick_v,
                           uint64_t{0});
      });
}

} // namespace

session_actor::behavior_type
session(session_actor::stateful_pointer<session_state> self,
        conversation_key key, tenant_config tenant, session_deps deps,
        router_actor router) {
  self->state.key = std::move(key);
  self->state.tenant = std::move(tenant);
  load_memory(self, deps, router);
  return {
    [=](atom::route, inbound_message& m) {
      auto& st = self->state;
      // A repeat of the message being handled or waiting (recovery racing a
      // live delivery) is dropped here; storage drops any that slip through.
      for (auto& q : st.queue)
        if (q.event_id == m.event_id)
          return;
      st.queue.push_back(std::move(m));
      ++st.generation;
      next(self, deps, router);
    },
    [=](atom::tick, uint64_t gen) {
      auto& st = self->state;
      if (gen == 0) { // a storage retry
        if (!st.loaded)
          load_memory(self, deps, router);
        else
          next(self, deps, router);
        return;
      }
      if (gen == st.generation && !st.busy && st.queue.empty()
          && !st.stopping)
        self->send(router, atom::idle_v, st.key);
    },
    [=](atom::stop) {
      auto& st = self->state;
      st.stopping = true;
      if (!st.busy && st.queue.empty())
        self->quit();
    },
  };
}

} // namespace parley
