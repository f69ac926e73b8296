#pragma once

// The ONE type-ID block: every type that travels in a message, with its
// `inspect`. Built with CAF_ENABLE_TYPE_ID_CHECKS, so a message type missing
// here is a compile error.

#include "net/client_types.hpp"
#include "protocol/types.hpp"
#include "storage/store.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

#include <functional>
#include <vector>

namespace parley {

/// What the HTTP edge learns once a batch is committed.
struct ingest_ack {
  bool stored = false;  ///< false: storage is down, answer 503
  int32_t fresh = 0;    ///< new events
  int32_t duplicates = 0;
  std::string error;
};

/// A parsed webhook waiting for its commit, with the way back to its HTTP
/// connection.
struct webhook_batch {
  std::vector<storage::event_row> rows;
  std::function<void(ingest_ack)> on_commit;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, action_request& x) {
  return f(caf::meta::type_name("action_request"), x.tenant, x.chat, x.channel,
           x.requested_by, x.language, x.kind, x.line, x.event_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, policy_decision& x) {
  return f(caf::meta::type_name("policy_decision"), x.verdict, x.approval_id,
           x.reason, x.reply);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, approval_reply& x) {
  return f(caf::meta::type_name("approval_reply"), x.tenant, x.id, x.approve,
           x.by, x.via, x.language);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, approval_outcome& x) {
  return f(caf::meta::type_name("approval_outcome"), x.status, x.id, x.state,
           x.reply);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, approval_record& x) {
  return f(caf::meta::type_name("approval_record"), x.id, x.tenant, x.chat,
           x.channel, x.kind, x.argv, x.summary, x.requested_by, x.reason,
           x.state, x.event_id, x.decided_by, x.decided_via, x.outcome,
           x.created_ms, x.expires_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shell_outcome& x) {
  return f(caf::meta::type_name("shell_outcome"), x.started, x.exit_code,
           x.signal, x.timed_out, x.truncated, x.output, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, inbound_message& x) {
  return f(caf::meta::type_name("inbound_message"), x.event_id, x.provider,
           x.tenant, x.chat, x.sender, x.sender_name, x.message_id, x.kind,
           x.text, x.received_ms, x.media_id, x.media_mime, x.media_name, x.via,
           x.context);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_context& x) {
  return f(caf::meta::type_name("group_context"), x.group, x.bot_id, x.mentions,
           x.quoted_id, x.quoted_sender);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, memory_entry& x) {
  return f(caf::meta::type_name("memory_entry"), x.role, x.content);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, conversation_key& x) {
  return f(caf::meta::type_name("conversation_key"), x.tenant, x.chat);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outbox_item& x) {
  return f(caf::meta::type_name("outbox_item"), x.id, x.tenant, x.chat,
           x.channel, x.recipient, x.body, x.attempts, x.approval_id,
           x.quoted_id, x.quoted_text, x.mention, x.in_doubt,
           x.template_name, x.template_language, x.template_params);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, completion& x) {
  return f(caf::meta::type_name("completion"), x.message, x.path,
           x.reply, x.started_us, x.storage_us, x.image_url, x.error, x.approval_id,
           x.hold, x.decision, x.trace, x.task_added, x.task_done, x.task_done_title);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instance_report& x) {
  return f(caf::meta::type_name("instance_report"), x.error, x.created,
           x.webhook, x.state, x.qr_code, x.pairing_code);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, relevance& x) {
  return f(caf::meta::type_name("relevance"), x.score, x.reason, x.method,
           x.threshold);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, decision_record& x) {
  return f(caf::meta::type_name("decision_record"), x.id, x.tenant, x.chat,
           x.sender_name, x.message, x.score, x.reason, x.threshold, x.method,
           x.replied, x.latency_us, x.created_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, completion_result& x) {
  return f(caf::meta::type_name("completion_result"), x.applied, x.reply,
           x.outbox);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, completion_outcome& x) {
  return f(caf::meta::type_name("completion_outcome"), x.result, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, llm_request& x) {
  return f(caf::meta::type_name("llm_request"), x.system_prompt, x.messages,
           x.tools, x.rounds, x.run_id, x.image_url);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, oauth_start& x) {
  return f(caf::meta::type_name("oauth_start"), x.url, x.state);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, turn_outcome& x) {
  return f(caf::meta::type_name("turn_outcome"), x.text, x.path, x.error,
           x.approval_id, x.rounds, x.tool_calls, x.trace);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_round& x) {
  return f(caf::meta::type_name("tool_round"), x.calls, x.results);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_call& x) {
  return f(caf::meta::type_name("tool_call"), x.id, x.name, x.arguments);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, llm_answer& x) {
  return f(caf::meta::type_name("llm_answer"), x.text, x.calls, x.prompt_tokens,
           x.completion_tokens);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_status& x) {
  return f(caf::meta::type_name("delivery_status"), x.provider_message_id,
           x.status, x.error_code, x.error_title);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ingest_ack& x) {
  return f(caf::meta::type_name("ingest_ack"), x.stored, x.fresh, x.duplicates,
           x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tenant_change& x) {
  return f(caf::meta::type_name("tenant_change"), x.refused, x.detail, x.problems, x.tenant);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, booking_call& x) {
  return f(caf::meta::type_name("booking_call"), x.tenant, x.customer, x.customer_name,
           x.staff, x.tool, x.arguments, x.api);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mail_message& x) {
  return f(caf::meta::type_name("mail_message"), x.from, x.address, x.subject,
           x.message_id, x.references, x.thread_id, x.text, x.date_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connector_report& x) {
  return f(caf::meta::type_name("connector_report"), x.connector, x.status,
           x.error, x.lines, x.priorities, x.fetched_ms, x.mails);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, composed_brief& x) {
  return f(caf::meta::type_name("composed_brief"), x.text, x.how, x.error,
           x.reports);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, brief_delivery& x) {
  return f(caf::meta::type_name("brief_delivery"), x.tenant, x.date, x.chat,
           x.channel, x.recipient, x.brief, x.template_name, x.template_language);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, brief_queued& x) {
  return f(caf::meta::type_name("brief_queued"), x.applied, x.state, x.error,
           x.outbox);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, brief_record& x) {
  return f(caf::meta::type_name("brief_record"), x.tenant, x.date, x.state,
           x.how, x.body, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outbox_outcome& x) {
  return f(caf::meta::type_name("outbox_outcome"), x.id, x.state, x.attempts,
           x.provider_message_id, x.error_code, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outbox_claim& x) {
  return f(caf::meta::type_name("outbox_claim"), x.id, x.last_inbound_ms);
}

inline bool operator==(const memory_entry& a, const memory_entry& b) {
  return a.role == b.role && a.content == b.content;
}

inline bool operator==(const outbox_item& a, const outbox_item& b) {
  return a.id == b.id && a.body == b.body && a.recipient == b.recipient;
}

} // namespace parley

namespace parley::storage {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_row& x) {
  return f(caf::meta::type_name("event_row"), x.provider, x.external_id, x.kind,
           x.tenant, x.chat, x.sender, x.sender_name, x.message_id, x.msg_type,
           x.body, x.reason, x.payload, x.status, x.context, x.channel_state,
           x.qr_code, x.pairing_code);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, insert_outcome& x) {
  return f(caf::meta::type_name("insert_outcome"), x.id, x.duplicate);
}

} // namespace parley::storage

namespace parley::net {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, client_response& x) {
  return f(caf::meta::type_name("client_response"), x.status, x.body, x.error,
           x.timed_out, x.written);
}

} // namespace parley::net

// A webhook batch carries a callback into the HTTP connection that waits for
// the commit. It never leaves the process, so it needs no serialisation.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::webhook_batch)

CAF_BEGIN_TYPE_ID_BLOCK(parley, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(parley, (parley::inbound_message))
  CAF_ADD_TYPE_ID(parley, (parley::memory_entry))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::memory_entry>))
  CAF_ADD_TYPE_ID(parley, (parley::conversation_key))
  CAF_ADD_TYPE_ID(parley, (parley::outbox_item))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::outbox_item>))
  CAF_ADD_TYPE_ID(parley, (parley::completion))
  CAF_ADD_TYPE_ID(parley, (parley::completion_result))
  CAF_ADD_TYPE_ID(parley, (parley::llm_request))
  CAF_ADD_TYPE_ID(parley, (parley::tool_round))
  CAF_ADD_TYPE_ID(parley, (parley::turn_outcome))
  CAF_ADD_TYPE_ID(parley, (parley::oauth_start))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::tool_round>))
  CAF_ADD_TYPE_ID(parley, (parley::delivery_status))
  CAF_ADD_TYPE_ID(parley, (parley::ingest_ack))
  CAF_ADD_TYPE_ID(parley, (parley::storage::event_row))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::storage::event_row>))
  CAF_ADD_TYPE_ID(parley, (parley::storage::insert_outcome))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::storage::insert_outcome>))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::inbound_message>))
  CAF_ADD_TYPE_ID(parley, (std::vector<std::string>))
  CAF_ADD_TYPE_ID(parley, (parley::shell_outcome))
  CAF_ADD_TYPE_ID(parley, (parley::action_request))
  CAF_ADD_TYPE_ID(parley, (parley::policy_decision))
  CAF_ADD_TYPE_ID(parley, (parley::approval_reply))
  CAF_ADD_TYPE_ID(parley, (parley::approval_outcome))
  CAF_ADD_TYPE_ID(parley, (parley::approval_record))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::approval_record>))
  CAF_ADD_TYPE_ID(parley, (parley::tool_call))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::tool_call>))
  CAF_ADD_TYPE_ID(parley, (parley::llm_answer))
  CAF_ADD_TYPE_ID(parley, (parley::group_context))
  CAF_ADD_TYPE_ID(parley, (parley::relevance))
  CAF_ADD_TYPE_ID(parley, (parley::decision_record))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::decision_record>))
  CAF_ADD_TYPE_ID(parley, (parley::instance_report))
  CAF_ADD_TYPE_ID(parley, (parley::booking_call))
  CAF_ADD_TYPE_ID(parley, (parley::tenant_change))
  CAF_ADD_TYPE_ID(parley, (parley::mail_message))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::mail_message>))
  CAF_ADD_TYPE_ID(parley, (parley::connector_report))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::connector_report>))
  CAF_ADD_TYPE_ID(parley, (parley::composed_brief))
  CAF_ADD_TYPE_ID(parley, (parley::brief_delivery))
  CAF_ADD_TYPE_ID(parley, (parley::brief_queued))
  CAF_ADD_TYPE_ID(parley, (parley::brief_record))
  CAF_ADD_TYPE_ID(parley, (parley::outbox_outcome))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::outbox_outcome>))
  CAF_ADD_TYPE_ID(parley, (parley::outbox_claim))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::outbox_claim>))
  CAF_ADD_TYPE_ID(parley, (std::vector<int64_t>))
  CAF_ADD_TYPE_ID(parley, (parley::net::client_response))
  CAF_ADD_TYPE_ID(parley, (parley::completion_outcome))
  CAF_ADD_TYPE_ID(parley, (std::vector<parley::completion_outcome>))
CAF_END_TYPE_ID_BLOCK(parley)

// Atoms: at most 10 characters from [0-9A-Za-z_].
CAF_ADD_ATOM(parley, parley::atom, ingest, "ingest")
CAF_ADD_ATOM(parley, parley::atom, write, "write")
CAF_ADD_ATOM(parley, parley::atom, route, "route")
CAF_ADD_ATOM(parley, parley::atom, load, "load")
CAF_ADD_ATOM(parley, parley::atom, complete, "complete")
CAF_ADD_ATOM(parley, parley::atom, generate, "generate")
CAF_ADD_ATOM(parley, parley::atom, send, "send")
CAF_ADD_ATOM(parley, parley::atom, retry, "retry")
CAF_ADD_ATOM(parley, parley::atom, mark_read, "mark_read")
CAF_ADD_ATOM(parley, parley::atom, idle, "idle")
CAF_ADD_ATOM(parley, parley::atom, stop, "stop")
CAF_ADD_ATOM(parley, parley::atom, tick, "tick")
CAF_ADD_ATOM(parley, parley::atom, recover, "recover")
CAF_ADD_ATOM(parley, parley::atom, pending, "pending")
CAF_ADD_ATOM(parley, parley::atom, wired, "wired")
CAF_ADD_ATOM(parley, parley::atom, restart, "restart")
CAF_ADD_ATOM(parley, parley::atom, run, "run")
CAF_ADD_ATOM(parley, parley::atom, check, "check")
CAF_ADD_ATOM(parley, parley::atom, resolve, "resolve")
CAF_ADD_ATOM(parley, parley::atom, list, "list")
CAF_ADD_ATOM(parley, parley::atom, drafts, "drafts")
CAF_ADD_ATOM(parley, parley::atom, release, "release")
CAF_ADD_ATOM(parley, parley::atom, score, "score")
CAF_ADD_ATOM(parley, parley::atom, decisions, "decisions")
CAF_ADD_ATOM(parley, parley::atom, connect, "connect")
CAF_ADD_ATOM(parley, parley::atom, status, "status")
CAF_ADD_ATOM(parley, parley::atom, summary, "summary")
CAF_ADD_ATOM(parley, parley::atom, brief, "brief")
CAF_ADD_ATOM(parley, parley::atom, claim, "claim")
CAF_ADD_ATOM(parley, parley::atom, tasks, "tasks")
CAF_ADD_ATOM(parley, parley::atom, gather, "gather")
CAF_ADD_ATOM(parley, parley::atom, start, "start")
CAF_ADD_ATOM(parley, parley::atom, touch, "touch")
CAF_ADD_ATOM(parley, parley::atom, pause, "pause")
CAF_ADD_ATOM(parley, parley::atom, resume, "resume")
CAF_ADD_ATOM(parley, parley::atom, put, "put")
CAF_ADD_ATOM(parley, parley::atom, remove, "remove")
CAF_ADD_ATOM(parley, parley::atom, reply, "reply")
CAF_ADD_ATOM(parley, parley::atom, mirror, "mirror")
CAF_ADD_ATOM(parley, parley::atom, done, "done")
CAF_ADD_ATOM(parley, parley::atom, inspect, "inspect")
CAF_ADD_ATOM(parley, parley::atom, trigger, "trigger")
