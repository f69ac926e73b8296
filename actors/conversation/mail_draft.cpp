#include "actors/conversation/mail_draft.hpp"

#include "actors/errors.hpp"
#include "protocol/mail_reply.hpp"

#include <caf/response_promise.hpp>

namespace parley {

namespace {

using self_ptr = mail_draft_actor::stateful_pointer<mail_draft_state>;

void end(self_ptr self, turn_outcome out) {
  self->state.rp.deliver(std::move(out));
  self->quit();
}

/// Not drafted: the person hears why, in a sentence.
void refuse(self_ptr self, const agent_context& ctx, const std::string& why_nl,
            const std::string& why_en, const std::string& error) {
  turn_outcome out;
  out.path = answer_path::command;
  out.text = ctx.tenant->language == "nl" ? why_nl : why_en;
  out.error = error;
  end(self, std::move(out));
}

void ask_gate(self_ptr self, const agent_context& ctx, const mail_reply& reply) {
  auto& deps = *ctx.deps;
  if (!deps.gate)
    return refuse(self, ctx, "Er draait geen beleidspoort; er wordt niets verstuurd.",
                  "No policy gate is running; nothing is sent.", "no policy gate");
  auto req = ctx.action;
  req.kind = "mail_reply";
  req.line = line_of(reply);
  self->request(deps.gate, gate_bound(*ctx.tenant), atom::check_v, std::move(req))
    .then(
      [=](const policy_decision& d) {
        turn_outcome out;
        out.path = answer_path::action;
        out.text = d.reply;
        out.approval_id = d.approval_id;
        out.error = d.verdict == "deny" ? d.reason : "";
        end(self, std::move(out));
      },
      [=](const caf::error& err) {
        refuse(self, ctx, "De beleidspoort antwoordde niet; er is niets verstuurd. Probeer het zo opnieuw.",
               "The policy gate did not answer; nothing was sent. Try again shortly.",
               describe(err));
      });
}

void draft(self_ptr self, const agent_context& ctx, const mail_message& m,
           const std::string& instruction) {
  auto& deps = *ctx.deps;
  if (deps.llm.empty())
    return refuse(self, ctx,
                  "Ik vond de mail van " + m.from + " (" + m.subject
                    + "), maar zonder taalmodel kan ik geen antwoord opstellen.",
                  "I found the mail from " + m.from + " (" + m.subject
                    + "), but without a language model I cannot draft a reply.",
                  "no LLM configured");
  auto bound = deps.llm_timeout * 2 + std::chrono::seconds(1);
  self->request(deps.next_llm(), bound, atom::generate_v, draft_request(m, instruction))
    .then(
      [=](const llm_answer& a) {
        auto body = draft_body(a.text);
        if (body.empty())
          return refuse(self, ctx, "Het taalmodel gaf geen antwoordtekst; probeer het opnieuw.",
                        "The language model gave no reply text; try again.",
                        "the model gave no text");
        ask_gate(self, ctx, reply_to(m, body));
      },
      [=](const caf::error& err) {
        refuse(self, ctx, "Het taalmodel antwoordde niet, dus er is geen concept; probeer het zo opnieuw.",
               "The language model did not answer, so there is no draft; try again shortly.",
               describe(err));
      });
}

void find(self_ptr self, const agent_context& ctx, const std::string& about,
          const std::string& body) {
  auto& deps = *ctx.deps;
  auto& t = *ctx.tenant;
  auto conn = deps.connectors ? deps.connectors->find(t.id, "mail") : connector_actor{};
  if (!conn)
    return refuse(self, ctx, "Er is geen mailbox ingesteld (tenants[].connectors.mail).",
                  "No mailbox is configured (tenants[].connectors.mail).",
                  "no mail connector");
  self->request(conn, deps.connector_timeout * 3 + std::chrono::seconds(2), atom::summary_v,
                std::string("thread"), about)
    .then(
      [=](const connector_report& r) {
        if (!r.ok())
          return refuse(self, ctx, "De mail kon niet gelezen worden: " + r.error,
                        "The mail could not be read: " + r.error, r.error);
        if (r.mails.empty()) {
          auto words = naming_words(about);
          std::string shown;
          for (auto& w : words)
            shown += (shown.empty() ? "" : " ") + w;
          return refuse(self, ctx,
                        "Ik vond geen mail van de laatste 30 dagen waarvan afzender of onderwerp past bij '"
                          + shown + "'. Noem de afzender of een woord uit het onderwerp.",
                        "I found no mail from the last 30 days whose sender or subject matches '"
                          + shown + "'. Name the sender or a word of the subject.",
                        "no mail matches");
        }
        auto& m = r.mails.front();
        if (body.empty())
          return draft(self, ctx, m, about);
        ask_gate(self, ctx, reply_to(m, body));
      },
      [=](const caf::error& err) {
        refuse(self, ctx, "De mailconnector antwoordde niet; probeer het zo opnieuw.",
               "The mail connector did not answer; try again shortly.", describe(err));
      });
}

} // namespace

mail_draft_actor::behavior_type
mail_draft(mail_draft_actor::stateful_pointer<mail_draft_state> self, agent_context ctx) {
  return {
    [=](atom::run, const std::string& about, const std::string& body) -> caf::result<turn_outcome> {
      self->state.rp = self->make_response_promise<turn_outcome>();
      find(self, ctx, about, body);
      return self->state.rp;
    },
  };
}

} // namespace parley
