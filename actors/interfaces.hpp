#pragma once

// Every actor interface of parley, one comment per message. Follow the arrows
// of a webhook: ingest → event writer (commit) → router → session →
// storage worker / llm → sender.

#include "actors/type_ids.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <functional>
#include <string>

namespace parley {

/// Which worker of a pool of `n` serves a chat: always the same one, so that
/// a conversation's work stays in order.
inline size_t shard_of(const std::string& chat, size_t n) {
  return std::hash<std::string>{}(chat) % n;
}

/// The EVENT WRITER: a detached actor that owns one connection and commits
/// batches of webhook items (group commit).
using event_writer_actor = caf::typed_actor<
  // Inserts a batch in one transaction; duplicates are marked, not inserted.
  caf::replies_to<atom::write, std::vector<storage::event_row>>::with<
    std::vector<storage::insert_outcome>>>;

/// The INGEST: collects webhook batches while a commit is in flight, commits
/// them together, acknowledges each HTTP request, then routes new messages.
using ingest_actor = caf::typed_actor<
  // A parsed webhook from the HTTP edge, answered through its callback.
  caf::reacts_to<atom::ingest, webhook_batch>>;

/// A STORAGE WORKER: a detached actor with its own connection, for sessions.
using storage_actor = caf::typed_actor<
  // The newest N memory entries of a conversation, oldest first.
  caf::replies_to<atom::load, conversation_key, int32_t>::with<
    std::vector<memory_entry>>,
  // Completes an event in one transaction: command, memory, outbox, run.
  caf::replies_to<atom::complete, completion, std::string>::with<
    completion_result>,
  // The ids of messages whose events are not complete (for recovery: they
  // wait in storage until the router has room for them).
  caf::replies_to<atom::pending, std::vector<std::string>>::with<
    std::vector<int64_t>>,
  // The messages among these ids still not complete, in arrival order.
  caf::replies_to<atom::load, std::vector<int64_t>>::with<
    std::vector<inbound_message>>,
  // One conversation's messages not complete (its session crashed).
  caf::replies_to<atom::pending, conversation_key>::with<
    std::vector<inbound_message>>,
  // Outbox rows not yet sent, for recovery.
  caf::replies_to<atom::pending, atom::send, std::vector<std::string>>::with<
    std::vector<outbox_item>>,
  // The operator's window, as JSON text: what ("conversations", "messages",
  // "runs" or "run"), tenant, chat, the cursor (a run's id for "run"), and
  // the page size. "" for a run that does not exist.
  caf::replies_to<atom::inspect, std::string, std::string, std::string, std::string,
                  int32_t>::with<std::string>,
  // Relevance decisions of a tenant and chat ("" for all), newest first.
  caf::replies_to<atom::decisions, std::string, std::string>::with<
    std::vector<decision_record>>,
  // (tenant, chat) -> open task titles, oldest first.
  caf::replies_to<atom::tasks, std::string, std::string>::with<
    std::vector<std::string>>,
  // (tenant, local date) -> true when the caller should compose that day's
  // brief (a new claim, or one left composing by a stopped process).
  caf::replies_to<atom::claim, std::string, std::string>::with<bool>,
  // Queues a claimed brief with its outbox row, once.
  caf::replies_to<atom::brief, brief_delivery>::with<brief_queued>,
  // Stores a message to send now (no event behind it); the row with its id.
  caf::replies_to<atom::send, outbox_item>::with<outbox_item>,
  // (tenant, local date) -> that day's brief as recorded.
  caf::replies_to<atom::brief, atom::status, std::string, std::string>::with<
    brief_record>>;

/// The COMPLETION WRITER: commits the completions of many sessions together
/// (group commit) on one asynchronous connection, without a thread of its
/// own; task commands, which need a transaction of their own, stay with the
/// storage workers.
using completion_writer_actor = caf::typed_actor<
  // As the storage worker's atom::complete; answered once its batch is
  // durable.
  caf::replies_to<atom::complete, completion, std::string>::with<
    completion_result>,
  // Internal: a batch's outcomes, from the connection's event loop.
  caf::reacts_to<atom::done, uint64_t, std::vector<completion_outcome>>>;

/// The LLM: a detached actor calling an OpenAI-compatible /chat/completions.
using llm_actor = caf::typed_actor<
  // The assistant's answer (text or tool calls), or an error (timeout, HTTP
  // status, bad body).
  caf::replies_to<atom::generate, llm_request>::with<llm_answer>>;

/// The OUTBOX KEEPER: one per sender (linked to it), with an asynchronous
/// connection on an event loop: the sender's database work, in steps.
using outbox_keeper_actor = caf::typed_actor<
  // Records the outcomes, then marks the rows to send in flight; the rows
  // still pending, free to go (store::outbox_step).
  caf::replies_to<atom::send, std::vector<outbox_outcome>, std::vector<int64_t>>::with<
    std::vector<outbox_claim>>,
  // Outbox rows of these channels not yet sent, for recovery.
  caf::replies_to<atom::pending, std::vector<std::string>>::with<
    std::vector<outbox_item>>,
  // Internal: the database's answer to request N, from the event loop.
  caf::reacts_to<atom::done, uint64_t, std::vector<outbox_claim>>,
  caf::reacts_to<atom::done, uint64_t, std::vector<outbox_item>>,
  caf::reacts_to<atom::done, uint64_t, caf::error>>;

/// The SENDER: owns the outbox rows it is given; delivers them in order per
/// chat, retrying with back-off. It never blocks: the sends run on the
/// event loop's connection pool, the database work on its outbox keeper,
/// and what is ready at the same time goes there as one step.
using sender_actor = caf::typed_actor<
  // Delivers a committed outbox row.
  caf::reacts_to<atom::send, outbox_item>,
  // Internal: the back-off for a chat's head row has elapsed.
  caf::reacts_to<atom::retry, std::string>,
  // Internal: a business number's next send slot is due; the chats waiting
  // for it go in the order they came.
  caf::reacts_to<atom::tick, std::string>,
  // Internal: the keeper's step failed (the database is down); again.
  caf::reacts_to<atom::retry>,
  // Internal: the HTTP answer to a row's send (row id, the answer).
  caf::reacts_to<atom::send, int64_t, net::client_response>,
  // Internal, after a restart: reloads this sender's unsent rows.
  caf::reacts_to<atom::recover>,
  // Marks an incoming message read with a typing indicator (best effort).
  caf::reacts_to<atom::mark_read, std::string, std::string>>;

/// A SESSION: one conversation; handles its events strictly in order and
/// keeps the conversation's memory.
using session_actor = caf::typed_actor<
  // A committed message of this conversation.
  caf::reacts_to<atom::route, inbound_message>,
  // Internal: try again after storage failed.
  caf::reacts_to<atom::tick>,
  // From the router (idle, or room for another): finish the queue, then quit.
  caf::reacts_to<atom::stop>>;

/// The ROUTER: maps (tenant, chat) to its session, spawning on demand.
using router_actor = caf::typed_actor<
  // A committed message; forwarded to its conversation's session, or left
  // in storage while max_queued_messages are in the sessions' hands.
  caf::reacts_to<atom::route, inbound_message>,
  // A session is done with one message (answered, or dropped as a repeat).
  caf::reacts_to<atom::done, conversation_key>,
  // Committed messages that wait in storage (recovery at start).
  caf::reacts_to<atom::pending, std::vector<int64_t>>,
  // Read the waiting messages again after storage failed.
  caf::reacts_to<atom::tick>,
  // Internal: the sweep that passivates sessions idle for session_idle_s.
  caf::reacts_to<atom::idle>>;

/// The GROUP-RELEVANCE SCORER: should the bot answer this group message?
/// A rule first (mention, name, reply to the bot), else the scorer LLM.
/// Never an error: a failing LLM is score 0 with the reason.
using scorer_actor = caf::typed_actor<
  // (tenant id, the group's memory, the message) -> the relevance.
  caf::replies_to<atom::score, std::string, std::vector<memory_entry>,
                  inbound_message>::with<relevance>>;

/// EVOLUTION ADMIN: instance operations for the admin API (detached: it
/// calls the Evolution API synchronously).
using evolution_admin_actor = caf::typed_actor<
  // (instance, webhook URL or "" for the default) -> created or repointed,
  // with its state and pairing codes.
  caf::replies_to<atom::connect, std::string, std::string>::with<instance_report>,
  // instance -> its state, and the pairing codes while it is not open.
  caf::replies_to<atom::status, std::string>::with<instance_report>>;

/// The MEDIA FETCHER: a voice note's or a picture's bytes from the Graph
/// API, and a voice note's transcript from the LLM server. Detached: HTTP.
using media_actor = caf::typed_actor<
  // (tenant id, media id, kind) -> (mime type, bytes); an error names why.
  caf::replies_to<atom::load, std::string, std::string, std::string>::with<std::string,
                                                                         std::string>,
  // (mime type, bytes) -> the transcript.
  caf::replies_to<atom::generate, std::string, std::string>::with<std::string>>;

/// The CONTEXT HUB: the markdown folders the owner's agent reads tier by
/// tier and saves ideas to. Detached: it reads files.
using context_hub_actor = caf::typed_actor<
  // (tool name, arguments as JSON) -> the tool's result for the model.
  caf::replies_to<atom::run, std::string, std::string>::with<std::string>,
  // identity/soul.md, put before the owner tenant's system prompt; "" if none.
  caf::replies_to<atom::load>::with<std::string>>;

/// A SHELL CONNECTOR: one per tenant with a `shell` block; runs argv arrays
/// that the policy gate has cleared, never through a shell.
using shell_actor = caf::typed_actor<
  // Runs the command with the tenant's workdir, timeout and output cap.
  caf::replies_to<atom::run, std::vector<std::string>>::with<shell_outcome>>;

/// The POLICY GATE: decides whether an action may run now, needs the
/// owner's approval, or is denied; runs approved actions exactly once.
using policy_gate_actor = caf::typed_actor<
  // Judges an action; runs it when allowed. Replies allow (with the outcome),
  // deny (with the reason) or pending (with the approval request).
  caf::replies_to<atom::check, action_request>::with<policy_decision>,
  // Approves or denies an approval, from a chat reply or the admin API.
  caf::replies_to<atom::resolve, approval_reply>::with<approval_outcome>,
  // Approvals, newest first, optionally in one state (admin API).
  caf::replies_to<atom::list, std::string>::with<std::vector<approval_record>>,
  // One approval by id; an error when there is none (admin API).
  caf::replies_to<atom::load, int64_t>::with<approval_record>,
  // Replies a draft-mode tenant holds (all tenants for ""), oldest first.
  caf::replies_to<atom::drafts, std::string>::with<std::vector<outbox_item>>,
  // Sends (true) or discards (false) a held draft, exactly once; not_found
  // or conflict (already sent or discarded) otherwise.
  caf::replies_to<atom::release, int64_t, bool>::with<outbox_item>>;

/// A CONNECTOR: one per tenant and source of live data (calendar, mail,
/// github, weather); detached, because it calls its server synchronously.
/// Never an error: a failure is a report with status `failing` and a sentence.
using connector_actor = caf::typed_actor<
  // (topic, local date) -> what the source says: topic agenda, inbox,
  // followups, github or weather. Reused for connectors.cache_s.
  caf::replies_to<atom::summary, std::string, std::string>::with<connector_report>>;

/// An AGENT TURN: the model with tools for one message, in rounds (each
/// round's calls run concurrently, each result goes back as its own tool
/// message) until it answers in text or the budget ends the loop. Spawned
/// per message by its session; answers once, then quits.
using agent_turn_actor = caf::typed_actor<
  // The request with memory and offered tools -> how the turn ended.
  caf::replies_to<atom::run, llm_request>::with<turn_outcome>>;

/// A MAIL DRAFT: a reply to the mail an instruction names (through the mail
/// connector's topic `thread`), drafted by the model when no text is given,
/// then put to the gate, which asks the owner with the full text. Spawned
/// per `draft:` (or send_mail_reply call); answers once, then quits.
using mail_draft_actor = caf::typed_actor<
  // (instruction or words naming the mail, the reply's text or "" to have
  // the model draft it) -> path action with the gate's answer, or path
  // command with `error` when no mail could be found or drafted.
  caf::replies_to<atom::run, std::string, std::string>::with<turn_outcome>>;

/// The BOOKING DESK: a business's bookings in parley's own calendar; detached,
/// it owns a connection. Every rule is checked here in code, never left to
/// the model; capacity again under the tenant's lock in the booking's own
/// transaction.
using booking_desk_actor = caf::typed_actor<
  // A booking tool call -> its result as JSON text for the model: the data,
  // or {"refused": code, "reason", "free": [...]}, or {"error": ...}.
  caf::replies_to<atom::run, booking_call>::with<std::string>,
  // (tenant, number, profile name): a customer made contact.
  caf::reacts_to<atom::touch, std::string, std::string, std::string>,
  // A customer's message before anything else -> (path, reply, reason): ""
  // goes on to the model; command (STOP, START), handover (the chat paused,
  // staff told) or silent (a handed-over chat) answer it.
  caf::replies_to<atom::check, inbound_message>::with<std::string, std::string, std::string>,
  // The handover(reason) tool: (tenant, chat, customer, name, reason) ->
  // what the customer hears.
  caf::replies_to<atom::pause, std::string, std::string, std::string, std::string,
                  std::string>::with<std::string>,
  // (tenant, chat) -> false when the chat was not handed over.
  caf::replies_to<atom::resume, std::string, std::string>::with<bool>,
  // Staff's `reply <number> <text>` (their message) -> what staff read; the
  // text goes to that customer as the business.
  caf::replies_to<atom::reply, inbound_message>::with<std::string>,
  // Internal: queue the reminders that have become due, every minute.
  caf::reacts_to<atom::tick>,
  // Internal: write the bookings that changed to the businesses' own
  // calendars (after a change, and every minute until each is written).
  caf::reacts_to<atom::mirror>>;

/// The BRIEF COMPOSER: gathers every connector of a tenant concurrently with
/// one deadline and has the LLM write the brief, or the template when the
/// LLM is absent, slow or wrong.
using brief_actor = caf::typed_actor<
  // (tenant id, local date) -> the brief.
  caf::replies_to<atom::brief, std::string, std::string>::with<composed_brief>>;

/// GOOGLE OAUTH: the consent flow (authorization code with PKCE and a state
/// nonce); detached, it calls the token endpoint and the database.
using oauth_actor = caf::typed_actor<
  // tenant -> the consent page to open; the flow is recorded.
  caf::replies_to<atom::start, std::string>::with<oauth_start>,
  // (state, code) -> the tenant now connected; an error for an unknown,
  // used or expired state, or a refused code.
  caf::replies_to<atom::connect, std::string, std::string>::with<std::string>,
  // state -> its status (pending, connected, failed, expired, unknown) and error.
  caf::replies_to<atom::status, std::string>::with<std::string, std::string>>;

/// The TENANT REGISTRY: tenants made over the admin API, validated like the
/// file's, stored in PostgreSQL and put in force for the next message; one
/// change at a time. Detached: it owns a connection.
using tenant_registry_actor = caf::typed_actor<
  // (id, JSON): id "" creates the tenant the JSON describes; otherwise the
  // JSON is a merge patch (RFC 7386) to tenant `id`.
  caf::replies_to<atom::put, std::string, std::string>::with<tenant_change>,
  // Removes tenant `id`; its history (conversations, bookings) stays.
  caf::replies_to<atom::remove, std::string>::with<tenant_change>>;

/// The WORKFLOW RUNNER: stores each trigger and scheduled firing as a
/// durable event and runs its workflow's steps in order, each step's
/// outcome recorded so that none is done twice; answers the events API.
/// Detached: it owns a connection (the rate is low).
using workflow_runner_actor = caf::typed_actor<
  // (kind, name, workflow, dedup key, payload JSON) -> (event id, new):
  // stored before the answer; a repeated key gets the first event's id.
  caf::replies_to<atom::trigger, std::string, std::string, std::string, std::string,
                  std::string>::with<int64_t, bool>,
  // GET /api/events: (kind, status, before, limit) -> the page as JSON.
  caf::replies_to<atom::list, std::string, std::string, int64_t, int32_t>::with<std::string>,
  // GET /api/events/{id} -> the event as JSON; not_found.
  caf::replies_to<atom::inspect, int64_t>::with<std::string>,
  // POST /api/events/{id}/retry -> the event as JSON; conflict unless failed.
  caf::replies_to<atom::retry, int64_t>::with<std::string>,
  // A schedule's latest recorded firing (ms), 0 for none.
  caf::replies_to<atom::status, std::string>::with<int64_t>,
  // Internal: run what is due.
  caf::reacts_to<atom::tick>>;

/// The MORNING BRIEF: a tenant's brief for one local date, sent once: the
/// day is claimed in storage before the gather, and the brief is queued with
/// its outbox row in one transaction.
using morning_brief_actor = caf::typed_actor<
  // (tenant id, local date) -> what became of it, for the log.
  caf::replies_to<atom::brief, std::string, std::string>::with<std::string>>;

/// The SCHEDULER: every timed firing — each configured schedule (through the
/// workflow runner) and each tenant's morning brief — at its cron times in
/// its zone, once, with missed firings caught up at start-up.
using scheduler_actor = caf::typed_actor<
  // Internal: look at the clock and fire what is due.
  caf::reacts_to<atom::tick>>;

} // namespace parley
