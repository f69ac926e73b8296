#include "actors/conversation/agent_loop.hpp"

#include "actors/conversation/mail_draft.hpp"
#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/approval_text.hpp"
#include "protocol/commands.hpp"
#include "protocol/policy.hpp"
#include "protocol/live_text.hpp"
#include "protocol/time_zone.hpp"
#include "protocol/tools.hpp"
#include "protocol/whatsapp_text.hpp"

#include <caf/response_promise.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace parley {

namespace {

using self_ptr = agent_turn_actor::stateful_pointer<agent_turn_state>;

void ask(self_ptr self, const agent_context& ctx);

void end(self_ptr self, turn_outcome out) {
  auto& st = self->state;
  if (st.done)
    return;
  st.done = true;
  out.rounds = st.rounds;
  out.tool_calls = st.tool_calls;
  out.trace = trace_json(st.trace);
  st.rp.deliver(std::move(out));
  self->quit();
}

/// Runs one call; `put` receives its result text (exactly once).
void run_call(self_ptr self, const agent_context& ctx, const tool_call& call,
              std::function<void(std::string)> put) {
  auto& t = *ctx.tenant;
  auto& deps = *ctx.deps;
  auto today = tz::local_date(t.timezone, wall_ms());
  // Side effects pass the gate, one per message.
  if (call.name == tools::run_shell || call.name == tools::create_event) {
    if (self->state.acted)
      return put("not run: one action per message");
    std::string error;
    bool shell = call.name == tools::run_shell;
    auto line = shell ? tools::shell_line(call.arguments, error)
                      : tools::event_line(call.arguments, today, tz::add_days(today, 1), error);
    if (line.empty())
      return put("error: " + error);
    if (!deps.gate)
      return put("error: no policy gate is running");
    self->state.acted = true;
    auto req = ctx.action;
    req.kind = shell ? "shell" : "calendar_event";
    req.line = line;
    self->request(deps.gate, gate_bound(t), atom::check_v, std::move(req))
      .then(
        [=](const policy_decision& d) {
          if (d.verdict != "allow") {
            // Waiting for approval, or refused: the person hears it as it is.
            turn_outcome out;
            out.path = answer_path::action;
            out.text = d.reply;
            out.approval_id = d.approval_id;
            out.error = d.verdict == "deny" ? d.reason : "";
            return end(self, std::move(out));
          }
          self->state.action_report = d.reply;
          put(d.reply);
        },
        [=](const caf::error& err) { put("error: the policy gate is unavailable: " + describe(err)); });
    return;
  }
  if (call.name == tools::send_mail_reply) {
    if (self->state.acted)
      return put("not run: one action per message");
    auto args = tools::reply_call(call.arguments);
    if (!args.error.empty())
      return put("error: " + args.error);
    self->state.acted = true;
    auto drafting = self->spawn(mail_draft, ctx);
    auto bound = deps.connector_timeout * 3 + gate_bound(t) + std::chrono::seconds(5);
    self->request(drafting, bound, atom::run_v, args.about, args.body)
      .then(
        [=](const turn_outcome& o) {
          // The gate's answer (the approval request, or a refusal) is the
          // reply; a mail that could not be found goes back to the model.
          if (o.path == answer_path::action)
            return end(self, o);
          self->state.acted = false;
          put("error: " + o.text);
        },
        [=](const caf::error& err) {
          self->state.acted = false;
          put("error: the mail reply could not be prepared: " + describe(err));
        });
    return;
  }
  if (tools::is_context_tool(call.name)) {
    if (!deps.context_hub)
      return put("error: there is no context hub");
    self->request(deps.context_hub, deps.connector_timeout, atom::run_v, call.name, call.arguments)
      .then([=](const std::string& text) { put(text); },
            [=](const caf::error& err) { put("error: the context hub did not answer: " + describe(err)); });
    return;
  }
  if (call.name == tools::handover) {
    if (!deps.bookings)
      return put("error: no person can be reached right now");
    auto reason = nlohmann::json::parse(call.arguments, nullptr, false);
    auto why = reason.is_object() && reason.contains("reason") && reason["reason"].is_string()
                 ? reason["reason"].get<std::string>().substr(0, 200)
                 : std::string("the assistant could not help");
    self->request(deps.bookings, std::chrono::seconds(30), atom::pause_v, t.id,
                  ctx.action.chat, ctx.action.requested_by, ctx.sender_name, why)
      .then(
        [=](const std::string& reply) {
          // From here a person answers: the customer hears when, nothing more.
          turn_outcome out;
          out.path = answer_path::action;
          out.text = reply;
          end(self, std::move(out));
        },
        [=](const caf::error& err) { put("error: the hand-over failed: " + describe(err)); });
    return;
  }
  if (tools::is_booking_tool(call.name)) {
    if (!deps.bookings)
      return put("error: bookings are not available right now");
    booking_call b;
    b.tenant = t.id;
    b.customer = ctx.action.requested_by;
    b.customer_name = ctx.sender_name;
    b.staff = is_staff(t, b.customer);
    b.tool = call.name;
    b.arguments = call.arguments;
    self->request(deps.bookings, std::chrono::seconds(30), atom::run_v, std::move(b))
      .then([=](const std::string& result) { put(result); },
            [=](const caf::error& err) {
              put("error: the booking desk did not answer: " + describe(err));
            });
    return;
  }
  auto read = tools::parse_read_call(call, today, tz::add_days(today, 1));
  if (!read.error.empty())
    return put("error: " + read.error);
  auto bound = deps.connector_timeout + std::chrono::seconds(2);
  if (read.source == "tasks") {
    auto& store = deps.pick(deps.storage, ctx.action.chat);
    self->request(store, bound, atom::tasks_v, t.id, ctx.action.chat)
      .then(
        [=](const std::vector<std::string>& titles) {
          connector_report r = ok_report("tasks");
          for (size_t i = 0; i < titles.size(); ++i)
            r.lines.push_back(std::to_string(i + 1) + ". " + titles[i]);
          put(tools::result_text(r));
        },
        [=](const caf::error& err) { put("error: the tasks could not be read: " + describe(err)); });
    return;
  }
  auto conn = deps.connectors ? deps.connectors->find(t.id, read.source) : connector_actor{};
  if (!conn)
    return put(tools::result_text(not_configured(read.source, config_key_of(read.source))));
  auto limit = read.limit;
  self->request(conn, bound, atom::summary_v, read.topic, read.date)
    .then([=](const connector_report& r) { put(tools::result_text(r, limit)); },
          [=](const caf::error& err) {
            put("error: the " + read.source + " connector did not answer: " + describe(err));
          });
}

/// The model asked for tools: every call of the round runs at once; when
/// all results are in, the round goes back to the model.
void run_round(self_ptr self, const agent_context& ctx, std::vector<tool_call> calls) {
  auto round = std::make_shared<tool_round>();
  round->calls = std::move(calls);
  round->results.assign(round->calls.size(), "");
  auto left = std::make_shared<size_t>(round->calls.size());
  self->state.tool_calls += static_cast<int32_t>(round->calls.size());
  auto& traced = self->state.trace.back().calls;
  for (auto& call : round->calls)
    traced.push_back({call.name, call.arguments, 0, 0, false});
  auto at = self->state.trace.size() - 1;
  for (size_t i = 0; i < round->calls.size(); ++i) {
    auto started = steady_us();
    run_call(self, ctx, round->calls[i], [=](std::string result) {
      auto& c = self->state.trace[at].calls[i];
      c.latency_us = steady_us() - started;
      if (ctx.deps->metrics)
        ctx.deps->metrics->tool.observe_us(c.latency_us);
      c.result_chars = result.size();
      c.error = result.rfind("error", 0) == 0 || result.rfind("not run", 0) == 0
                || result.rfind("{\"error\"", 0) == 0;
      round->results[i] = std::move(result);
      if (--*left > 0 || self->state.done)
        return;
      self->state.req.rounds.push_back(*round);
      ask(self, ctx);
    });
  }
}

void ask(self_ptr self, const agent_context& ctx) {
  auto& st = self->state;
  auto& deps = *ctx.deps;
  auto elapsed = std::chrono::microseconds(steady_us() - st.started_us);
  // Out of rounds or time: one last call without tools, for a plain answer.
  if (st.rounds >= deps.max_tool_rounds || elapsed > deps.llm_timeout * deps.max_tool_rounds)
    st.req.tools.clear();
  ++st.rounds;
  st.asked_us = steady_us();
  auto bound = deps.llm_timeout * 2 + std::chrono::seconds(1);
  self->request(deps.next_llm(), bound, atom::generate_v, st.req)
    .then(
      [=](const llm_answer& a) {
        auto& st = self->state;
        st.trace.push_back({steady_us() - st.asked_us, a.prompt_tokens, a.completion_tokens, {}});
        if (ctx.deps->metrics)
          ctx.deps->metrics->llm.observe_us(st.trace.back().model_latency_us);
        if (!a.calls.empty() && !st.req.tools.empty())
          return run_round(self, ctx, a.calls);
        turn_outcome out;
        out.path = answer_path::llm;
        out.text = markdown_to_whatsapp(a.text);
        if (a.text.empty()) {  // only calls, where none were offered
          out.path = st.acted ? answer_path::action : answer_path::fallback;
          out.text = st.acted ? st.action_report : fallback_reply(ctx.tenant->language, true);
          out.error = "the model gave no text";
        }
        end(self, std::move(out));
      },
      [=](const caf::error& err) {
        auto& st = self->state;
        st.trace.push_back({steady_us() - st.asked_us, 0, 0, {}});
        if (ctx.deps->metrics)
          ctx.deps->metrics->llm.observe_us(st.trace.back().model_latency_us);
        turn_outcome out;
        out.error = describe(err);
        if (st.acted && !st.action_report.empty()) {  // the action ran: its report is the answer
          out.path = answer_path::action;
          out.text = st.action_report;
        } else {
          out.path = answer_path::fallback;
          out.text = fallback_reply(ctx.tenant->language, true);
        }
        end(self, std::move(out));
      });
}

} // namespace

agent_turn_actor::behavior_type
agent_turn(agent_turn_actor::stateful_pointer<agent_turn_state> self, agent_context ctx) {
  return {
    [=](atom::run, llm_request& req) -> caf::result<turn_outcome> {
      auto& st = self->state;
      st.req = std::move(req);
      st.started_us = steady_us();
      st.rp = self->make_response_promise<turn_outcome>();
      ask(self, ctx);
      return st.rp;
    },
  };
}

} // namespace parley
