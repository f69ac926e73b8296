#include "actors/policy/policy_gate.hpp"

#include "actors/connectors/calendar_writer.hpp"
#include "actors/connectors/http_caller.hpp"
#include "actors/connectors/mail_writer.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/approval_text.hpp"
#include "protocol/policy.hpp"

#include <functional>

namespace parley {

namespace {

using self_ptr = policy_gate_actor::stateful_pointer<policy_gate_state>;

/// Runs `argv` on the tenant's shell connector, then calls `done`.
void run_shell(self_ptr self, const config& cfg, const std::string& tenant,
               std::vector<std::string> argv,
               std::function<void(shell_outcome)> done) {
  auto i = self->state.shells.find(tenant);
  if (i == self->state.shells.end()) {
    shell_outcome o;
    o.error = "this tenant has no shell connector";
    return done(o);
  }
  auto t = cfg.tenant_by_id(tenant);
  auto bound = std::chrono::milliseconds(t ? t->shell.timeout_ms : 30000)
               + std::chrono::seconds(10);
  self->request(i->second, bound, atom::run_v, std::move(argv))
    .then([=](const shell_outcome& o) { done(o); },
          [=](const caf::error& err) {
            shell_outcome o;
            o.error = "the shell connector did not answer: " + describe(err);
            done(o);
          });
}

/// A short outcome for the approval record.
std::string outcome_line(const shell_outcome& o) {
  if (!o.started)
    return "not started: " + o.error;
  if (o.timed_out)
    return "timed out";
  if (o.truncated)
    return "stopped at the output cap";
  if (o.signal)
    return "ended by signal " + std::to_string(o.signal);
  return "exit " + std::to_string(o.exit_code);
}

/// Runs a database step; a database failure becomes an error for the caller.
template <class F>
auto with_db(self_ptr self, F&& f) -> caf::expected<decltype(f(std::declval<storage::store&>()))> {
  try {
    return self->state.db->with(f);
  } catch (const storage::pg_error& e) {
    log::warn(std::string("policy gate: storage failed: ") + e.what());
    return make_error(errc::storage_unavailable, e.what());
  }
}

caf::result<policy_decision> check(self_ptr self,
                                   const std::shared_ptr<const config>& cfg,
                                   const action_request& req) {
  auto t = cfg->tenant_by_id(req.tenant);
  if (!t)
    return make_error(errc::bad_input, "unknown tenant " + req.tenant);
  auto lang = t->language;
  auto who = log::who(req.requested_by);
  auto audit = [&](const std::string& decision, const std::string& detail) {
    return with_db(self, [&](storage::store& s) {
      s.audit(req.tenant, who, "request", req.line, decision, detail);
      return true;
    });
  };
  auto verdict = judge_action(*t, req);
  // What the person asked for, as they can read it (a reply's line is JSON).
  auto asked = !verdict.summary.empty() ? verdict.summary
               : req.kind == "mail_reply" ? std::string("mail reply") : req.line;
  auto deny = [&](const std::string& reason) -> caf::result<policy_decision> {
    if (auto ok = audit("deny", reason); !ok)
      return ok.error();
    return policy_decision{"deny", 0, reason, denied_reply(lang, asked, reason)};
  };
  if (verdict.kind == action_verdict_kind::deny)
    return deny(verdict.reason);
  auto summary = verdict.summary;
  if (verdict.kind == action_verdict_kind::run) {
    if (auto ok = audit("allow", verdict.reason); !ok)
      return ok.error();
    auto rp = self->make_response_promise<policy_decision>();
    run_shell(self, *cfg, req.tenant, verdict.argv, [=](shell_outcome o) mutable {
      with_db(self, [&](storage::store& s) {
        s.audit(req.tenant, who, "run", summary, o.started ? "executed" : "failed",
                outcome_line(o));
        return true;
      });
      rp.deliver(policy_decision{"allow", 0, "allowlisted",
                                 shell_report(lang, summary, o)});
    });
    return rp;
  }
  approval_record a;
  a.tenant = req.tenant;
  a.chat = req.chat;
  a.channel = req.channel;
  a.kind = req.kind;
  a.argv = verdict.argv;
  a.summary = summary;
  a.requested_by = req.requested_by;
  a.reason = verdict.reason;
  a.event_id = req.event_id;
  auto id = with_db(self, [&](storage::store& s) {
    auto id = s.create_approval(a, t->approval_ttl_s);
    s.audit(req.tenant, who, "request", summary, "pending",
            "approval " + std::to_string(id) + ": " + verdict.reason);
    return id;
  });
  if (!id)
    return id.error();
  return policy_decision{"pending", *id, verdict.reason,
                         approval_prompt(lang, *id, summary)};
}

/// An approval this reply did not decide: unknown, expired or decided before.
approval_outcome undecided(const std::string& lang, int64_t id,
                           const std::optional<approval_record>& a) {
  auto nl = lang == "nl";
  auto n = std::to_string(id);
  if (!a)
    return approval_outcome{"not_found", id, "",
                            nl ? "Er is geen goedkeuring " + n + "."
                               : "There is no approval " + n + "."};
  if (a->state == "expired")
    return approval_outcome{"expired", id, a->state,
                            nl ? "Goedkeuring " + n + " is verlopen; er is niets uitgevoerd."
                               : "Approval " + n + " has expired; nothing was run."};
  return approval_outcome{"conflict", id, a->state,
                          nl ? "Over goedkeuring " + n + " is al beslist (" + a->state + ")."
                             : "Approval " + n + " was already decided (" + a->state + ")."};
}

/// A decision that did not come from the approval's chat (the admin API) is
/// reported there too, through the outbox.
void report_elsewhere(self_ptr self, const approval_reply& reply, const approval_record& a,
                      const std::string& text) {
  if (reply.via != "http")
    return;
  auto item = with_db(self, [&](storage::store& s) { return s.report_to_chat(a, text); });
  if (item && !self->state.senders.empty())
    self->send(self->state.senders[shard_of(item->chat, self->state.senders.size())],
               atom::send_v, *item);
}

/// approve_bookings: the owner confirms or declines a held booking; the
/// approval, the booking and the customer's message in one transaction.
caf::result<approval_outcome> resolve_booking(self_ptr self, const config& cfg,
                                              const approval_reply& reply,
                                              const approval_record& held) {
  auto t = cfg.tenant_by_id(held.tenant);
  if (!t)
    return undecided(reply.language, held.id, std::nullopt);
  auto d = with_db(self, [&](storage::store& s) {
    return s.decide_booking(held.id, reply.tenant, reply.approve, reply.by, reply.via,
                            t->business.name, t->timezone, t->language);
  });
  if (!d)
    return d.error();
  if (!d->decided || !d->approval)
    return undecided(reply.language, held.id, d->approval);
  if (d->to_customer && !self->state.senders.empty())
    self->send(self->state.senders[shard_of(d->to_customer->chat, self->state.senders.size())],
               atom::send_v, *d->to_customer);
  auto nl = t->language == "nl";
  auto text = reply.approve
                ? (nl ? "Bevestigd: " : "Confirmed: ") + held.summary
                    + (nl ? ". De klant krijgt bericht." : ". The customer is told.")
                : (nl ? "Afgewezen: " : "Declined: ") + held.summary
                    + (nl ? ". De klant krijgt bericht." : ". The customer is told.");
  report_elsewhere(self, reply, *d->approval, text);
  auto state = d->approval->state;
  return approval_outcome{state, held.id, state, text};
}

caf::result<approval_outcome> resolve(self_ptr self,
                                      const std::shared_ptr<const config>& cfg,
                                      const approval_reply& reply) {
  auto lang = reply.language;
  auto t = reply.tenant.empty() ? nullptr : cfg->tenant_by_id(reply.tenant);
  auto nl = lang == "nl";
  auto id = reply.id;
  // A business's staff decide held bookings (and nothing else, below).
  bool staff_only = t && !may_decide(*t, reply.by) && is_staff(*t, reply.by);
  auto forbidden = [&] {
    with_db(self, [&](storage::store& s) {
      s.audit(t->id, log::who(reply.by), reply.approve ? "approve" : "deny",
              std::to_string(id), "refused", "not the owner or an approver");
      return true;
    });
    return approval_outcome{"forbidden", id, "",
                            nl ? "Alleen de eigenaar kan dit goedkeuren."
                               : "Only the owner can decide on approvals."};
  };
  if (t && !may_decide(*t, reply.by) && !staff_only) {
    if (id == 0) // a bare "ok" from a customer is just conversation
      return approval_outcome{"none_pending", 0, "", ""};
    return forbidden();
  }
  if (id == 0) {
    auto pending = with_db(self, [&](storage::store& s) {
      return s.pending_approvals(reply.tenant);
    });
    if (!pending)
      return pending.error();
    if (pending->empty())
      return approval_outcome{"none_pending", 0, "", ""};
    if (pending->size() > 1) {
      std::string ids;
      for (auto p : *pending)
        ids += (ids.empty() ? "" : ", ") + std::to_string(p);
      auto first = std::to_string(pending->front());
      return approval_outcome{
        "ambiguous", 0, "",
        nl ? "Er wachten meerdere goedkeuringen (" + ids + "). Antwoord met het nummer, bijv. *ja "
               + first + "* of *nee " + first + "*."
           : "Several approvals are pending (" + ids + "). Reply with the number, e.g. *approve "
               + first + "* or *deny " + first + "*."};
    }
    id = pending->front();
  }
  auto held = with_db(self, [&](storage::store& s) { return s.approval(id); });
  if (!held)
    return held.error();
  if (*held && (*held)->kind == "booking")
    return resolve_booking(self, *cfg, reply, **held);
  if (staff_only)
    return forbidden();
  bool decided = false;
  auto row = with_db(self, [&](storage::store& s) {
    auto r = s.decide_approval(id, reply.tenant, reply.approve, reply.by,
                               reply.via, decided);
    s.audit(r ? r->tenant : reply.tenant, log::who(reply.by),
            reply.approve ? "approve" : "deny", std::to_string(id),
            !r ? "not_found" : decided ? r->state : "conflict",
            "via " + reply.via);
    return r;
  });
  if (!row)
    return row.error();
  if (!*row || !decided)
    return undecided(lang, id, *row);
  auto a = **row;
  auto owner_tenant = cfg->tenant_by_id(a.tenant);
  auto report_lang = owner_tenant ? owner_tenant->language : lang;
  auto report = [=](const std::string& text) { report_elsewhere(self, reply, a, text); };
  if (!reply.approve) {
    auto text = nl ? "Geweigerd: `" + a.summary + "` wordt niet uitgevoerd."
                   : "Denied: `" + a.summary + "` will not run.";
    report(text);
    return approval_outcome{"denied", id, "denied", text};
  }
  if (a.kind == "calendar_event") {
    // The gate is detached: the CalDAV PUT runs here, once per approval.
    write_outcome w{false, "the tenant no longer exists"};
    if (owner_tenant)
      w = create_calendar_event(*cfg, *owner_tenant, self->state.google, a.argv, a.id);
    auto state = w.done ? "executed" : "failed";
    with_db(self, [&](storage::store& s) {
      s.finish_approval(a.id, state, w.detail);
      s.audit(a.tenant, log::who(reply.by), "create_event", a.summary, state, w.detail);
      return true;
    });
    auto nl_report = report_lang == "nl";
    auto text = w.done ? (nl_report ? "Gepland: " : "Planned: ") + a.summary.substr(a.summary.find(':') + 2)
                       : (nl_report ? "Niet gepland: " : "Not planned: ") + w.detail;
    report(text);
    return approval_outcome{state, a.id, state, text};
  }
  if (a.kind == "http") {
    // Called here, once per approval, with its Idempotency-Key.
    auto w = call_http(a.argv);
    auto state = w.done ? "executed" : "failed";
    auto status = w.detail.substr(0, w.detail.find('\n'));  // "HTTP 201", without the body
    with_db(self, [&](storage::store& s) {
      s.finish_approval(a.id, state, w.detail);
      s.audit(a.tenant, log::who(reply.by), "http", a.summary, state, status);
      return true;
    });
    auto nl_report = report_lang == "nl";
    auto text = std::string(w.done ? (nl_report ? "Aangeroepen: " : "Called: ")
                                   : (nl_report ? "Mislukt: " : "Failed: "))
                + a.summary + " (" + status + ")";
    report(text);
    return approval_outcome{state, a.id, state, text};
  }
  if (a.kind == "mail_reply") {
    // Sent here, once per approval: a restart before the outcome is
    // recorded marks the approval failed (in doubt), never sends again.
    write_outcome w{false, "the tenant no longer exists"};
    if (owner_tenant)
      w = send_mail_reply(*cfg, *owner_tenant, self->state.google, a.argv, a.id);
    auto state = w.done ? "executed" : "failed";
    with_db(self, [&](storage::store& s) {
      s.finish_approval(a.id, state, w.detail);
      s.audit(a.tenant, log::who(reply.by), "send_mail", a.summary.substr(0, a.summary.find('\n')),
              state, w.detail);
      return true;
    });
    auto nl_report = report_lang == "nl";
    auto to = a.argv.empty() ? std::string() : a.argv.front();
    auto text = w.done ? (nl_report ? "Verstuurd aan " : "Sent to ") + to + "."
                       : (nl_report ? "Niet verstuurd: " : "Not sent: ") + w.detail;
    report(text);
    return approval_outcome{state, a.id, state, text};
  }
  auto rp = self->make_response_promise<approval_outcome>();
  run_shell(self, *cfg, a.tenant, a.argv, [=](shell_outcome o) mutable {
    auto state = o.started ? "executed" : "failed";
    with_db(self, [&](storage::store& s) {
      // With its output: a workflow's shell step goes on with it.
      s.finish_approval(a.id, state,
                        outcome_line(o) + (o.output.empty() ? "" : "\n" + o.output));
      s.audit(a.tenant, log::who(reply.by), "run", a.summary, state,
              outcome_line(o));
      return true;
    });
    auto text = shell_report(report_lang, a.summary, o);
    report(text);
    rp.deliver(approval_outcome{state, a.id, state, text});
  });
  return rp;
}

/// The owner releases (or discards) a draft reply over HTTP; one atomic
/// update, so a draft is sent at most once.
caf::result<outbox_item> release(self_ptr self, int64_t id, bool send) {
  bool changed = false;
  std::string state;
  auto row = with_db(self, [&](storage::store& s) {
    auto r = s.release_draft(id, send, changed, state);
    s.audit(r ? r->tenant : "", "admin", send ? "send_draft" : "discard_draft",
            std::to_string(id), !r ? "not_found" : changed ? state : "conflict",
            "via http");
    return r;
  });
  if (!row)
    return row.error();
  if (!*row)
    return make_error(errc::not_found, "no draft " + std::to_string(id));
  if (!changed)
    return make_error(errc::conflict, "reply " + std::to_string(id) + " is "
                                        + state + ", not a draft");
  auto& senders = self->state.senders;
  if (send && !senders.empty())
    self->send(senders[shard_of((*row)->chat, senders.size())], atom::send_v,
               **row);
  return std::move(**row);
}

} // namespace

policy_gate_actor::behavior_type
policy_gate(policy_gate_actor::stateful_pointer<policy_gate_state> self,
            std::shared_ptr<const config> cfg, google_access google,
            std::map<std::string, shell_actor> shells,
            std::vector<sender_actor> senders, bool at_start) {
  self->state.db = std::make_unique<store_handle>(google.conninfo);
  self->state.google = std::move(google);
  if (at_start) {
    auto n = with_db(self, [](storage::store& s) {
      return s.interrupt_unfinished_approvals();
    });
    if (n && *n > 0)
      log::warn("policy gate: " + std::to_string(*n)
                + " approved action(s) were interrupted by a restart; marked"
                  " failed, not run again");
  }
  self->state.shells = std::move(shells);
  self->state.senders = std::move(senders);
  return {
    [=](atom::check, const action_request& req) { return check(self, cfg, req); },
    [=](atom::resolve, const approval_reply& reply) {
      return resolve(self, cfg, reply);
    },
    [=](atom::list, const std::string& state)
      -> caf::result<std::vector<approval_record>> {
      auto rows = with_db(self, [&](storage::store& s) {
        return s.approvals(state, 200);
      });
      if (!rows)
        return rows.error();
      return std::move(*rows);
    },
    [=](atom::load, int64_t id) -> caf::result<approval_record> {
      auto row = with_db(self, [&](storage::store& s) { return s.approval(id); });
      if (!row)
        return row.error();
      if (!*row)
        return make_error(errc::not_found, "no approval " + std::to_string(id));
      return std::move(**row);
    },
    [=](atom::drafts, const std::string& tenant)
      -> caf::result<std::vector<outbox_item>> {
      auto rows = with_db(self, [&](storage::store& s) {
        return s.held_replies(tenant, "draft", 500);
      });
      if (!rows)
        return rows.error();
      return std::move(*rows);
    },
    [=](atom::release, int64_t id, bool send) -> caf::result<outbox_item> {
      return release(self, id, send);
    },
  };
}

} // namespace parley
