#include "actors/conversation/session.hpp"

#include "actors/conversation/agent_loop.hpp"
#include "actors/conversation/mail_draft.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/approval_text.hpp"
#include "protocol/business_prompt.hpp"
#include "protocol/commands.hpp"
#include "protocol/group.hpp"
#include "protocol/live_text.hpp"
#include "protocol/media.hpp"
#include "protocol/plan_text.hpp"
#include "protocol/time_zone.hpp"
#include "protocol/policy.hpp"
#include "protocol/relevance.hpp"
#include "protocol/staff_reply.hpp"
#include "protocol/tools.hpp"
#include "protocol/whatsapp_text.hpp"

#include <algorithm>
#include <functional>

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
  c.storage_us = std::exchange(st.memory_read_us, 0);
  auto channel = channel_of(c.message, *st.tenant);
  auto committed = [=](const completion_result& r) {
    auto& st = self->state;
    if (deps.log_text)
      log::info("text " + st.key.tenant + "/" + log::who(c.message.sender)
                  + " [" + to_string(c.path) + "] \"" + c.message.text
                  + "\" -> \"" + r.reply + "\"",
                c.message.event_id);
    if (r.applied && deps.metrics) {
      deps.metrics->completed++;
      deps.metrics->count(st.key.tenant, c);
      if (c.message.received_ms > 0)
        deps.metrics->reply[static_cast<size_t>(c.path)].observe_us(
          (wall_ms() - c.message.received_ms) * 1000);
    }
    // Memory not read yet holds nothing to append to: storage has the
    // exchange, and the first read will bring it.
    if (r.applied && st.loaded && c.path != answer_path::ignored) {
      st.memory.push_back({"user", memory_text(c.message)});
      if (c.path != answer_path::silent)
        st.memory.push_back({"assistant", r.reply});
      while (st.memory.size() > static_cast<size_t>(st.tenant->memory))
        st.memory.pop_front();
    }
    auto& out = deps.pick(deps.senders, st.key.chat);
    for (auto& item : r.outbox)
      self->send(out, atom::send_v, item);
    st.queue.pop_front();
    self->send(router, atom::done_v, st.key);
    st.busy = false;
    next(self, deps, router);
  };
  auto failed = [=](const caf::error& err) {
    // Storage is down: keep the message at the head and try again; it is
    // committed, so nothing is lost if we crash meanwhile.
    log::warn("session " + self->state.key.tenant + "/"
              + log::who(self->state.key.chat)
              + " cannot complete, retrying: " + describe(err),
              c.message.event_id);
    self->state.busy = false;
    self->delayed_send(self, deps.storage_retry, atom::tick_v);
  };
  if (deps.completer)
    self->request(deps.completer, std::chrono::seconds(30), atom::complete_v, c, channel)
      .then(committed, failed);
  else
    self->request(deps.pick(deps.storage, st.key.chat), std::chrono::seconds(30),
                  atom::complete_v, c, channel)
      .then(committed, failed);
}

void answer_free_text(self_ptr self, const session_deps& deps,
                      router_actor router, completion c);

/// An agent turn or a draft ended: its reply, path and approval complete the message.
void finish_turn(self_ptr self, const session_deps& deps, router_actor router, completion c,
                 const turn_outcome& o) {
  c.path = o.path;
  c.reply = o.text;
  c.error = o.error;
  c.approval_id = o.approval_id;
  c.trace = o.trace;
  finish(self, deps, router, std::move(c));
}

/// Asks the gate about `line` on behalf of the message's sender; `then` gets
/// its decision (a refusal when there is no gate or it does not answer).
void check_action(self_ptr self, const session_deps& deps, const completion& c,
                  const std::string& line,
                  std::function<void(const policy_decision&)> then,
                  const std::string& kind = "shell") {
  auto& st = self->state;
  if (!deps.gate)
    return then({"deny", 0, "no policy gate is running",
                 denied_reply(st.tenant->language, line, "no policy gate is running")});
  action_request req;
  req.tenant = st.tenant->id;
  req.chat = st.key.chat;
  req.channel = channel_of(c.message, *st.tenant);
  req.requested_by = c.message.sender;
  req.language = st.tenant->language;
  req.event_id = c.message.event_id;
  req.kind = kind;
  req.line = line;
  self->request(deps.gate, gate_bound(*st.tenant), atom::check_v, std::move(req))
    .then([=](const policy_decision& d) { then(d); },
          [=](const caf::error& err) {
            then({"deny", 0, describe(err),
                  denied_reply(self->state.tenant->language, line,
                               "the policy gate is unavailable; try again")});
          });
}

/// A pending approval or a refusal is told to the person as it is.
void finish_with(self_ptr self, const session_deps& deps, router_actor router,
                 completion c, const policy_decision& d) {
  c.path = answer_path::action;
  c.reply = d.reply;
  c.approval_id = d.approval_id;
  c.error = d.verdict == "deny" ? d.reason : "";
  finish(self, deps, router, std::move(c));
}

/// The gate's verdict on `shell: <line>` becomes the reply: the output, the
/// approval request, or the refusal.
void ask_gate(self_ptr self, const session_deps& deps, router_actor router,
              completion c, const std::string& line) {
  check_action(self, deps, c, line, [=](const policy_decision& d) {
    finish_with(self, deps, router, c, d);
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
  reply.tenant = st.tenant->id;
  reply.id = id;
  reply.approve = approve;
  reply.by = c.message.sender;
  reply.via = c.message.kind == "interactive" || c.message.kind == "button"
                ? "button"
                : "chat";
  reply.language = st.tenant->language;
  self->request(deps.gate, gate_bound(*st.tenant), atom::resolve_v, std::move(reply))
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
        c.reply = self->state.tenant->language == "nl"
                    ? "De goedkeuring kon nu niet worden verwerkt; probeer het zo opnieuw."
                    : "The approval could not be handled right now; try again shortly.";
        c.error = describe(err);
        finish(self, deps, router, std::move(c));
      });
}

/// A group message the scorer has judged: a reply only at or above the
/// tenant's threshold and within the group's rate limit; otherwise silence,
/// with the reason in the decision log.
void decide_group(self_ptr self, const session_deps& deps, router_actor router,
                  completion c, relevance r) {
  auto& st = self->state;
  c.decision = r;
  c.path = answer_path::silent;
  if (r.score < r.threshold || c.message.text.empty())
    return finish(self, deps, router, std::move(c));
  std::vector<memory_entry> memory(st.memory.begin(), st.memory.end());
  if (looks_like_bot_loop(memory, c.message)) {
    c.decision.reason = "possible loop with another bot: answered "
                        + display_name(c.message) + " 3 times in a row ("
                        + r.reason + ")";
    return finish(self, deps, router, std::move(c));
  }
  auto now = steady_us() / 1000;
  if (over_rate_limit(*st.tenant, st.reply_ms, now)) {
    c.decision.reason = "rate limited: " + std::to_string(st.tenant->group_replies_per_minute)
                        + " replies a minute (" + r.reason + ")";
    return finish(self, deps, router, std::move(c));
  }
  st.reply_ms.erase(std::remove_if(st.reply_ms.begin(), st.reply_ms.end(),
                                   [&](int64_t at) { return now - at >= 60000; }),
                    st.reply_ms.end());
  st.reply_ms.push_back(now);
  if (deps.llm.empty()) {
    c.path = answer_path::fallback;
    c.reply = fallback_reply(st.tenant->language, false);
    return finish(self, deps, router, std::move(c));
  }
  auto bound = deps.llm_timeout * 2 + std::chrono::seconds(1);
  self
    ->request(deps.next_llm(), bound, atom::generate_v,
              group_reply_request(*st.tenant, memory, c.message))
    .then(
      [=](const llm_answer& a) mutable {
        c.path = a.text.empty() ? answer_path::fallback : answer_path::llm;
        c.reply = a.text.empty() ? fallback_reply(self->state.tenant->language, true)
                                 : markdown_to_whatsapp(a.text);
        finish(self, deps, router, std::move(c));
      },
      [=](const caf::error& err) mutable {
        // The bot was addressed: a short apology beats silence.
        c.path = answer_path::fallback;
        c.reply = fallback_reply(self->state.tenant->language, true);
        c.error = describe(err);
        finish(self, deps, router, std::move(c));
      });
}

void with_memory(self_ptr self, const session_deps& deps, std::function<void()> then);

/// A group message: the scorer decides whether it deserves an answer, with
/// the conversation so far.
void score_group(self_ptr self, const session_deps& deps, router_actor router,
                 completion c) {
  auto& st = self->state;
  auto threshold = st.tenant->relevance_threshold;
  if (!deps.scorer)
    return decide_group(self, deps, router, std::move(c),
                        {0, "no relevance scorer is running", "none", threshold});
  std::vector<memory_entry> memory(st.memory.begin(), st.memory.end());
  self
    ->request(deps.scorer, deps.llm_timeout * 2 + std::chrono::seconds(2),
              atom::score_v, st.tenant->id, memory, c.message)
    .then(
      [=](const relevance& r) mutable {
        decide_group(self, deps, router, std::move(c), r);
      },
      [=](const caf::error& err) mutable {
        decide_group(self, deps, router, std::move(c),
                     {0, "the scorer did not answer: " + describe(err), "none",
                      threshold});
      });
}

void answer_group(self_ptr self, const session_deps& deps, router_actor router,
                  completion c) {
  with_memory(self, deps, [=] { score_group(self, deps, router, c); });
}

void answer_live(self_ptr self, const session_deps& deps, router_actor router,
                 completion c, const command& cmd);
void answer_brief(self_ptr self, const session_deps& deps, router_actor router,
                  completion c);
void answer_tasks(self_ptr self, const session_deps& deps, router_actor router,
                  completion c, const command& cmd);

/// `plan: <what> <when>`: read deterministically, then the gate asks the
/// owner to confirm the exact event before it is created.
void answer_plan(self_ptr self, const session_deps& deps, router_actor router,
                 completion c, const std::string& text) {
  auto& t = *self->state.tenant;
  auto e = parse_plan(text, tz::local_date(t.timezone, wall_ms()));
  if (!e.error.empty()) {
    c.path = answer_path::command;
    c.reply = (t.language == "nl" ? "Dat kon ik niet plannen: " : "I could not plan that: ")
              + e.error;
    c.error = e.error;
    return finish(self, deps, router, std::move(c));
  }
  check_action(self, deps, c, plan_line(e), [=](const policy_decision& d) {
    finish_with(self, deps, router, c, d);
  }, "calendar_event");
}

/// The context an agent turn or a draft acts in: this chat, on behalf of
/// the message's sender.
agent_context context_of(self_ptr self, const inbound_message& m) {
  auto& st = self->state;
  agent_context ctx;
  ctx.deps = st.deps;
  ctx.tenant = st.tenant;
  ctx.action.tenant = st.tenant->id;
  ctx.action.chat = st.key.chat;
  ctx.action.channel = channel_of(m, *st.tenant);
  ctx.action.requested_by = m.sender;
  ctx.action.language = st.tenant->language;
  ctx.action.event_id = m.event_id;
  ctx.sender_name = m.sender_name;
  return ctx;
}

/// `draft: <instruction>`: the mail it names, the model's reply, and the
/// owner's approval of the full text before anything is sent.
void answer_draft(self_ptr self, const session_deps& deps, router_actor router,
                  completion c, const std::string& instruction) {
  auto& t = *self->state.tenant;
  // Before any mail is read: the owner's mail is not for others' eyes.
  if (!may_decide(t, c.message.sender)) {
    c.path = answer_path::command;
    c.reply = denied_reply(t.language, "draft: " + instruction, "only the owner may send mail");
    c.error = "not the owner";
    return finish(self, deps, router, std::move(c));
  }
  auto drafting = self->spawn(mail_draft, context_of(self, c.message));
  auto bound = deps.connector_timeout * 3 + deps.llm_timeout * 2 + gate_bound(t)
               + std::chrono::seconds(5);
  self->request(drafting, bound, atom::run_v, instruction, std::string())
    .then(
      [=](const turn_outcome& o) mutable { finish_turn(self, deps, router, std::move(c), o); },
      [=](const caf::error& err) mutable {
        c.path = answer_path::command;
        c.reply = self->state.tenant->language == "nl"
                    ? "Het concept lukte nu niet; er is niets verstuurd. Probeer het zo opnieuw."
                    : "The draft could not be made right now; nothing was sent. Try again shortly.";
        c.error = describe(err);
        finish(self, deps, router, std::move(c));
      });
}

bool is_customer(const tenant_config& t, const inbound_message& m);
void front_door(self_ptr self, const session_deps& deps, router_actor router, completion c);
void staff_reply_to_customer(self_ptr self, const session_deps& deps, router_actor router,
                             completion c);
void answer_text(self_ptr self, const session_deps& deps, router_actor router, completion c);

void answer(self_ptr self, const session_deps& deps, router_actor router) {
  auto& st = self->state;
  auto& m = st.queue.front();
  completion c;
  c.message = m;
  // A tenant changed over the API counts from the next message; one deleted
  // answers nobody.
  if (deps.tenants) {
    auto now = deps.tenants->by_id(st.key.tenant);
    if (!now) {
      c.path = answer_path::ignored;
      c.error = "tenant '" + st.key.tenant + "' was deleted";
      return finish(self, deps, router, std::move(c));
    }
    st.tenant = std::move(now);
  }
  c.started_us = steady_us();
  c.hold = reply_hold(*st.tenant, m.provider);
  if (st.tenant->kind == "personal" && !st.tenant->owner.empty()
      && m.sender != st.tenant->owner && m.provider != "console") {
    log::info("ignoring " + log::who(m.sender) + " on personal tenant "
                + st.tenant->id + ": not the owner",
              m.event_id);
    c.path = answer_path::ignored;
    c.error = "sender is not the owner";
    return finish(self, deps, router, std::move(c));
  }
  // A business keeps a record of every customer who makes contact.
  if (st.tenant->kind == "business" && st.tenant->business.enabled && deps.bookings
      && !m.context.group && m.provider != "console")
    self->send(deps.bookings, atom::touch_v, st.tenant->id, m.sender, m.sender_name);
  if (m.context.group)
    return answer_group(self, deps, router, std::move(c));
  if (is_customer(*st.tenant, m) && deps.bookings)
    return front_door(self, deps, router, std::move(c));
  if (st.tenant->business.enabled && deps.bookings && is_staff(*st.tenant, m.sender)
      && staff_reply_of(m.text))
    return staff_reply_to_customer(self, deps, router, std::move(c));
  answer_text(self, deps, router, std::move(c));
}

/// Whether `m` comes from a business's customer (not its owner or staff).
bool is_customer(const tenant_config& t, const inbound_message& m) {
  return t.kind == "business" && t.business.enabled && m.provider != "console"
         && !is_staff(t, m.sender);
}

/// The booking desk or storage did not answer: the message stays at the
/// head of the queue and is handled again after the storage back-off.
void retry_later(self_ptr self, const session_deps& deps, const std::string& what,
                      const caf::error& err) {
  log::warn("session " + self->state.key.tenant + "/" + log::who(self->state.key.chat)
            + " cannot " + what + ", retrying: " + describe(err));
  self->state.busy = false;
  self->delayed_send(self, deps.storage_retry, atom::tick_v);
}

/// A customer's message passes the booking desk first: STOP and START, a
/// chat handed over to a person (silent), asking for a person.
void front_door(self_ptr self, const session_deps& deps, router_actor router, completion c) {
  self->request(deps.bookings, std::chrono::seconds(30), atom::check_v, c.message)
    .then(
      [=](const std::string& path, const std::string& reply, const std::string& reason) mutable {
        if (path.empty())
          return answer_text(self, deps, router, std::move(c));
        c.path = path == "silent" ? answer_path::silent : answer_path::command;
        c.reply = reply;
        c.error = reason;
        finish(self, deps, router, std::move(c));
      },
      [=](const caf::error& err) {
        // Whether the chat was handed over is unknown: try again rather
        // than answer over a person's head.
        retry_later(self, deps, "pass the front door", err);
      });
}

/// Staff's `reply <number> <text>`: sent to that customer as the business
/// (by the booking desk, once per staff message); staff hear what happened.
void staff_reply_to_customer(self_ptr self, const session_deps& deps, router_actor router,
                             completion c) {
  self->request(deps.bookings, std::chrono::seconds(30), atom::reply_v, c.message)
    .then(
      [=](const std::string& words) mutable {
        if (words.empty())  // the tenant changed meanwhile: an ordinary message
          return answer_text(self, deps, router, std::move(c));
        c.path = answer_path::command;
        c.reply = words;
        finish(self, deps, router, std::move(c));
      },
      [=](const caf::error& err) {
        retry_later(self, deps, "pass a staff reply on", err);
      });
}

/// A voice note is heard as its transcript and a picture seen with its
/// caption (llm.vision) or read by its caption alone; then the message goes
/// on as if typed. What cannot be read is answered with a request for text.
void read_media(self_ptr self, const session_deps& deps, router_actor router, completion c) {
  auto& st = self->state;
  auto& m = c.message;
  auto lang = st.tenant->language;
  auto kind = media::plain_kind(m.kind);
  auto failed = [=](completion c, const std::string& why) {
    c.path = answer_path::fallback;
    c.reply = media::failed_reply(lang, kind);
    c.error = why;
    finish(self, deps, router, std::move(c));
  };
  if (kind == "image" && !deps.vision) {
    if (m.text.empty()) {
      c.path = answer_path::fallback;
      c.reply = media::unseen_picture_reply(lang);
      c.error = "pictures are not looked at (llm.vision is off)";
      return finish(self, deps, router, std::move(c));
    }
    m.via = "picture";
    m.text += "\n" + media::unseen_picture_note(lang);
    m.media_id.clear();
    return answer_text(self, deps, router, std::move(c));
  }
  auto bound = std::chrono::seconds(45);
  self->request(deps.media, bound, atom::load_v, st.tenant->id, m.media_id, kind)
    .then(
      [=](const std::string& mime, const std::string& bytes) mutable {
        c.message.media_id.clear();  // read: not again
        if (kind == "image") {
          c.message.via = "picture";
          if (c.message.text.empty())
            c.message.text = media::uncaptioned_picture_text(lang);
          c.image_url = media::data_url(mime.empty() ? c.message.media_mime : mime, bytes);
          return answer_text(self, deps, router, std::move(c));
        }
        self->request(deps.media, deps.llm_timeout + std::chrono::seconds(5), atom::generate_v,
                      mime.empty() ? c.message.media_mime : mime, bytes)
          .then(
            [=](const std::string& transcript) mutable {
              c.message.via = "voice note";
              c.message.text = transcript;
              answer_text(self, deps, router, std::move(c));
            },
            [=](const caf::error& err) mutable { failed(std::move(c), describe(err)); });
      },
      [=](const caf::error& err) mutable { failed(std::move(c), describe(err)); });
}

void answer_text(self_ptr self, const session_deps& deps, router_actor router, completion c) {
  auto& st = self->state;
  auto kind = media::plain_kind(c.message.kind);
  if (kind == "document" && !c.message.media_id.empty()) {
    // A document is not opened: its name and caption are the message.
    c.message.text = media::document_text(st.tenant->language, c.message.media_name,
                                          c.message.text);
    c.message.media_id.clear();
  }
  if (!c.message.media_id.empty() && deps.media && (kind == "audio" || kind == "image"))
    return read_media(self, deps, router, std::move(c));
  const auto m = c.message;  // a copy: c is moved on below
  if (m.text.empty()) {
    c.path = answer_path::fallback;
    c.reply = no_text_reply(st.tenant->language, m.kind);
    c.error = "no text in a " + m.kind + " message";
    return finish(self, deps, router, std::move(c));
  }
  // The commands are the owner's (tasks, mail, shell, approvals): a
  // business's customer only talks to the booking agent.
  auto cmd = is_customer(*st.tenant, m) ? command{} : parse_command(m.text);
  switch (cmd.kind) {
    case command_kind::none:
      return answer_free_text(self, deps, router, std::move(c));
    case command_kind::shell:
      return ask_gate(self, deps, router, std::move(c), cmd.title);
    case command_kind::approve:
    case command_kind::deny:
      return decide_approval(self, deps, router, std::move(c),
                             cmd.kind == command_kind::approve, cmd.number);
    case command_kind::agenda:
    case command_kind::inbox:
    case command_kind::followups:
    case command_kind::weather:
    case command_kind::github:
      return answer_live(self, deps, router, std::move(c), cmd);
    case command_kind::brief:
      return answer_brief(self, deps, router, std::move(c));
    case command_kind::plan:
      return answer_plan(self, deps, router, std::move(c), cmd.title);
    case command_kind::draft:
      return answer_draft(self, deps, router, std::move(c), cmd.title);
    case command_kind::list_tasks:
    case command_kind::add_task:
    case command_kind::complete_task:
      return answer_tasks(self, deps, router, std::move(c), cmd);
    case command_kind::usage:
      c.path = answer_path::command;
      c.reply = usage_reply(st.tenant->language, cmd.word);
      return finish(self, deps, router, std::move(c));
    default:
      c.path = answer_path::command;
      c.reply = help_reply(st.tenant->language);
      return finish(self, deps, router, std::move(c));
  }
}

/// `taken`, `taak: …`, `klaar N`: the open tasks are read, the reply is
/// worded from them, and a write (a task added, one marked done) goes into
/// the completion's own statement, which commits with the other sessions'
/// (group commit) and writes only when it claims the event: once. No
/// transaction of its own is needed: this chat's commands are handled in
/// order, and `klaar N` marks the task only if the Nth is still the one read.
void answer_tasks(self_ptr self, const session_deps& deps, router_actor router,
                  completion c, const command& cmd) {
  auto& m = c.message;
  auto lang = self->state.tenant->language;
  self->request(deps.pick(deps.storage, m.chat), std::chrono::seconds(30), atom::tasks_v,
                m.tenant, m.chat)
    .then(
      [=](const std::vector<std::string>& open) mutable {
        c.path = answer_path::command;
        auto n = cmd.number;
        if (cmd.kind == command_kind::list_tasks) {
          c.reply = task_list_reply(lang, open);
        } else if (cmd.kind == command_kind::add_task) {
          c.task_added = cmd.title;
          c.reply = task_added_reply(lang, static_cast<int>(open.size()) + 1, cmd.title);
        } else if (n < 1 || static_cast<size_t>(n) > open.size()) {
          c.reply = no_such_task_reply(lang, n, open.size());
        } else {
          c.task_done = n;
          c.task_done_title = open[n - 1];
          c.reply = task_done_reply(lang, n, open[n - 1]);
        }
        finish(self, deps, router, std::move(c));
      },
      [=](const caf::error& err) { retry_later(self, deps, "read the tasks", err); });
}

/// `agenda`, `inbox`, `followups`, `weer`, `github`: one connector's report
/// for today (or tomorrow), in words. No LLM.
void answer_live(self_ptr self, const session_deps& deps, router_actor router,
                 completion c, const command& cmd) {
  auto& t = *self->state.tenant;
  auto lang = t.language;
  auto date = tz::add_days(tz::local_date(t.timezone, wall_ms()), cmd.day);
  struct topic_of { command_kind kind; const char* source; const char* topic; };
  static const topic_of topics[] = {{command_kind::agenda, "calendar", "agenda"},
                                    {command_kind::inbox, "mail", "inbox"},
                                    {command_kind::followups, "mail", "followups"},
                                    {command_kind::weather, "weather", "weather"},
                                    {command_kind::github, "github", "github"}};
  auto* pick = &topics[0];
  for (auto& x : topics)
    if (x.kind == cmd.kind)
      pick = &x;
  std::string topic = pick->topic, source = pick->source;
  auto heading = live_heading(topic, date, lang);
  auto nothing = live_nothing(topic, lang);
  c.path = answer_path::command;
  auto reply_with = [=](completion c, const connector_report& r) {
    c.reply = report_reply(r, heading, nothing, lang);
    if (!r.ok())
      c.error = r.status == "not_configured" ? "not configured" : r.error;
    finish(self, deps, router, std::move(c));
  };
  auto conn = deps.connectors ? deps.connectors->find(t.id, source) : connector_actor{};
  if (!conn)
    return reply_with(std::move(c), not_configured(source, config_key_of(source)));
  self->request(conn, deps.connector_timeout + std::chrono::seconds(2), atom::summary_v,
                topic, date)
    .then([=](const connector_report& r) mutable { reply_with(std::move(c), r); },
          [=](const caf::error& err) mutable {
            reply_with(std::move(c),
                       failing_report(source, "the " + source + " connector did not answer: "
                                                + describe(err)));
          });
}

/// `brief`: today's brief composed now (it is not the scheduled one, which
/// is still sent at brief_at).
void answer_brief(self_ptr self, const session_deps& deps, router_actor router,
                  completion c) {
  auto& t = *self->state.tenant;
  c.path = answer_path::command;
  if (!deps.composer) {
    c.reply = t.language == "nl" ? "De ochtendbrief is nu niet beschikbaar."
                                 : "The morning brief is not available right now.";
    c.error = "no brief composer";
    return finish(self, deps, router, std::move(c));
  }
  auto date = tz::local_date(t.timezone, wall_ms());
  self->request(deps.composer, deps.brief_bound, atom::brief_v, t.id, date)
    .then(
      [=](const composed_brief& b) mutable {
        c.path = b.how == "llm" ? answer_path::llm : answer_path::command;
        c.reply = b.text;
        c.error = b.error;
        finish(self, deps, router, std::move(c));
      },
      [=](const caf::error& err) mutable {
        c.reply = self->state.tenant->language == "nl"
                    ? "De ochtendbrief lukte nu niet; probeer het zo opnieuw."
                    : "The morning brief could not be made right now; try again shortly.";
        c.error = describe(err);
        finish(self, deps, router, std::move(c));
      });
}

/// Anything that is not a command: the model with tools (the agent loop),
/// or the deterministic fallback.
void ask_model(self_ptr self, const session_deps& deps, router_actor router, completion c);
void run_turn(self_ptr self, const session_deps& deps, router_actor router, completion c,
              const std::string& soul);

void answer_free_text(self_ptr self, const session_deps& deps,
                      router_actor router, completion c) {
  if (deps.llm.empty()) {
    c.path = answer_path::fallback;
    c.reply = fallback_reply(self->state.tenant->language, false);
    c.error = "no LLM configured";
    return finish(self, deps, router, std::move(c));
  }
  with_memory(self, deps, [=] { ask_model(self, deps, router, c); });
}

/// The model's turn, with the conversation so far.
void ask_model(self_ptr self, const session_deps& deps, router_actor router, completion c) {
  auto& st = self->state;
  auto& m = c.message;
  // Read receipts are visible to the person: not when the reply is held.
  if (m.provider == "meta" && c.hold.empty())
    self->send(deps.pick(deps.senders, st.key.chat), atom::mark_read_v,
               st.tenant->id, m.message_id);
  // The owner's identity (the hub's identity/soul.md) goes first.
  if (deps.context_hub && st.tenant->kind == "personal") {
    self->request(deps.context_hub, deps.connector_timeout, atom::load_v)
      .then([=](const std::string& soul) mutable { run_turn(self, deps, router, std::move(c), soul); },
            [=](const caf::error&) mutable { run_turn(self, deps, router, std::move(c), ""); });
    return;
  }
  run_turn(self, deps, router, std::move(c), "");
}

/// The agent's turn with the model and its tools.
void run_turn(self_ptr self, const session_deps& deps, router_actor router, completion c,
              const std::string& soul) {
  auto& st = self->state;
  auto& m = c.message;
  llm_request req;
  req.run_id = m.event_id;  // a message's run has its event's id
  req.system_prompt = st.tenant->system_prompt;
  if (!soul.empty())
    req.system_prompt = soul + (req.system_prompt.empty() ? "" : "\n\n" + req.system_prompt);
  // A business speaks from its own configuration (services, hours, rules),
  // with the owner's extra words after it.
  if (st.tenant->business.enabled)
    req.system_prompt = business_prompt(*st.tenant, wall_ms(), m.sender_name)
                        + (req.system_prompt.empty() ? "" : "\n" + req.system_prompt);
  req.messages.assign(st.memory.begin(), st.memory.end());
  req.messages.push_back({"user", m.text});
  req.tools = tools::offered(*st.tenant, m.sender, static_cast<bool>(deps.context_hub));
  req.image_url = c.image_url;
  auto turn = self->spawn(agent_turn, context_of(self, m));
  // The turn bounds itself (each call has its timeout); this guards against
  // one that never answers.
  auto bound = (deps.llm_timeout * 2 + std::chrono::seconds(1)) * (deps.max_tool_rounds + 1)
               + gate_bound(*st.tenant) + deps.connector_timeout;
  self->request(turn, bound, atom::run_v, std::move(req))
    .then(
      [=](const turn_outcome& o) mutable { finish_turn(self, deps, router, std::move(c), o); },
      [=](const caf::error& err) mutable {
        c.path = answer_path::fallback;
        c.reply = fallback_reply(self->state.tenant->language, true);
        c.error = describe(err);
        finish(self, deps, router, std::move(c));
      });
}

void next(self_ptr self, const session_deps& deps, router_actor router) {
  auto& st = self->state;
  if (st.busy)
    return;
  if (st.queue.empty()) {
    // Idle: the router's sweep passivates it after session_idle_s. (A timer
    // of its own would hold the session alive in CAF's clock that long.)
    if (st.stopping)
      self->quit();
    return;
  }
  st.busy = true;
  answer(self, deps, router);
}

/// Runs `then` with the conversation's memory restored: read from storage
/// the first time a path needs it (the model, a group's scorer), so that a
/// command in a new conversation costs no read. A failed read leaves the
/// message at the head of the queue, handled again after the back-off.
void with_memory(self_ptr self, const session_deps& deps, std::function<void()> then) {
  auto& st = self->state;
  if (st.loaded)
    return then();
  auto asked = steady_us();
  self
    ->request(deps.pick(deps.storage, st.key.chat), std::chrono::seconds(30),
              atom::load_v, st.key, static_cast<int32_t>(st.tenant->memory))
    .then(
      [=](const std::vector<memory_entry>& entries) {
        auto& st = self->state;
        st.memory.assign(entries.begin(), entries.end());
        st.loaded = true;
        st.memory_read_us = steady_us() - asked;
        then();
      },
      [=](const caf::error& err) {
        log::warn("session cannot load its memory, retrying: " + describe(err));
        self->state.busy = false;
        self->delayed_send(self, deps.storage_retry, atom::tick_v);
      });
}

} // namespace

session_actor::behavior_type
session(session_actor::stateful_pointer<session_state> self,
        conversation_key key, std::shared_ptr<const tenant_config> tenant,
        std::shared_ptr<const session_deps> shared_deps, router_actor router) {
  // Thousands of sessions: the tenant and the dependencies are shared, not
  // copied into each one (and into each handler).
  self->state.key = std::move(key);
  self->state.tenant = std::move(tenant);
  self->state.deps = shared_deps;
  return {
    [=](atom::route, inbound_message& m) {
      auto& st = self->state;
      // A repeat of the message being handled or waiting (recovery racing a
      // live delivery) is dropped here; storage drops any that slip through.
      for (auto& q : st.queue)
        if (q.event_id == m.event_id)
          return self->send(router, atom::done_v, st.key);
      st.queue.push_back(std::move(m));
      next(self, *shared_deps, router);
    },
    [=](atom::tick) {  // a retry after storage failed
      next(self, *shared_deps, router);
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
