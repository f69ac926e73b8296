#pragma once

// Every query parley runs, on one connection. Not thread-safe: each detached
// actor that needs the database owns one store.

#include "protocol/booking.hpp"
#include "protocol/live_data.hpp"
#include "protocol/secret_box.hpp"
#include "protocol/staff_reply.hpp"
#include "protocol/types.hpp"
#include "storage/pg.hpp"
#include "storage/workflow_rows.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace parley::storage {

/// A consent flow being completed.
struct oauth_flow {
  std::string state, tenant, provider, verifier, redirect_uri;
};

/// A staff reply as stored: what staff hear, and the row to hand to a
/// sender (none when nothing was queued, or it was queued before).
struct staff_reply_queued {
  staff_reply_outcome outcome = staff_reply_outcome::unknown_customer;
  std::optional<outbox_item> row;
};

/// What became of a booking request: code "" and the booking, or a refusal
/// code (slot_unavailable, not_found).
struct booking_attempt {
  std::string code;
  booking_record booking;
  bool repeat = false;  ///< the same request within 5 minutes: the first booking
  std::optional<outbox_item> prompt;  ///< approve_bookings: the owner's approval prompt
};

/// approve_bookings: a booking is held for the owner's approval, asked in
/// the owner's chat in the tenant's language.
struct booking_hold {
  std::string owner;     ///< the owner's chat and number
  std::string channel;
  std::string language;
  std::string zone;
  int ttl_s = 3600;      ///< how long the owner has to decide
};

/// A decision on a held booking: whether this call decided it, the
/// approval as it now stands, the booking, and the customer's message.
struct booking_decision {
  bool decided = false;
  std::optional<approval_record> approval;
  std::optional<booking_record> booking;
  std::optional<outbox_item> to_customer;
};

/// A webhook item as the ingest stores it.
struct event_row {
  std::string provider;
  std::string external_id;
  std::string kind;  ///< message, status, ignored
  std::string tenant;
  std::string chat;
  std::string sender;
  std::string sender_name;
  std::string message_id;
  std::string msg_type;
  std::string body;
  std::string reason;  ///< why ignored
  std::string payload; ///< the item's JSON
  delivery_status status; ///< kind == status
  group_context context;  ///< Evolution messages
  // kind == channel: an Evolution instance's connection.update / qrcode.updated
  std::string channel_state, qr_code, pairing_code;
};

/// What happened to one event of an insert batch.
struct insert_outcome {
  int64_t id = 0;        ///< the event's id; 0 for an answered duplicate
  bool duplicate = false;
  bool unanswered = false; ///< a duplicate whose message is still pending
};

/// What completing a workflow step writes with it, in its transaction.
struct step_effect {
  std::optional<outbox_item> send;  ///< a WhatsApp message to queue
  std::string task_tenant, task_chat, task_title;  ///< a task to add
};

class store {
public:
  explicit store(const std::string& conninfo) : db_(conninfo) {}

  /// Inserts a batch in one transaction (group commit). Duplicates are
  /// skipped; statuses are applied to their outbox rows in the same
  /// transaction. Throws pg_error; then nothing of the batch is stored.
  std::vector<insert_outcome> insert_events(const std::vector<event_row>& rows);

  /// The newest `limit` memory entries of a conversation, oldest first.
  std::vector<memory_entry> load_memory(const std::string& tenant,
                                        const std::string& chat, int limit);

  /// Completes an event: runs its command, stores memory, the outbox rows,
  /// the decision and the run, in one statement (a task command: in one
  /// transaction). Not applied if the event was already complete.
  completion_result complete(const completion& c, const std::string& channel);

  /// The ids of messages whose events are not complete, in arrival order:
  /// what waits to be answered, without holding the messages in memory.
  std::vector<int64_t> pending_message_ids(const std::vector<std::string>& providers);

  /// The messages among `ids` whose events are still not complete, in
  /// arrival order.
  std::vector<inbound_message> pending_messages(const std::vector<int64_t>& ids);

  /// One conversation's messages whose events are not complete, in arrival
  /// order (a session that crashed left them).
  std::vector<inbound_message> pending_messages(const std::string& tenant,
                                                const std::string& chat);

  /// Outbox rows not yet sent, oldest first.
  std::vector<outbox_item> pending_outbox(const std::vector<std::string>& channels);

  /// One step of a sender, in one round trip: records `outcomes`, then
  /// marks the rows `to_send` in flight before their sends (see migration
  /// 0006) and returns those still pending (not withdrawn, no status that
  /// overtook them). The marks must be on disk before a request leaves, so
  /// the step commits synchronously when it marks; outcomes alone commit
  /// without waiting for the WAL flush (a lost outcome leaves the row in
  /// flight, which recovery treats as in doubt).
  std::vector<outbox_claim> outbox_step(const std::vector<outbox_outcome>& outcomes,
                                        const std::vector<int64_t>& to_send);

  /// The operator's window (JSON text, newest first, `limit` a page, `next`
  /// the cursor for the page after): conversations with their last
  /// activity, message count, paused or not; a conversation's messages with
  /// the path each answer took and its run; runs (traces) of a tenant or
  /// chat; one run with its send. Empty tenant or chat: all.
  std::string inspect_conversations(const std::string& tenant, const std::string& before,
                                    int limit);
  std::string inspect_messages(const std::string& tenant, const std::string& chat,
                               int64_t before, int limit);
  std::string inspect_runs(const std::string& tenant, const std::string& chat,
                           int64_t before, int limit);
  std::optional<std::string> inspect_run(int64_t id);

  /// Group relevance decisions, newest first; empty tenant or chat: all.
  std::vector<decision_record> decisions(const std::string& tenant,
                                         const std::string& chat, int limit);

  // -- the morning brief (store_briefs.cpp) --------------------------------

  /// Open task titles of a chat, oldest first.
  std::vector<std::string> open_tasks(const std::string& tenant,
                                      const std::string& chat);

  /// Claims a tenant's brief for a local date: true when this caller should
  /// compose it (a new claim, or one a stopped process left composing).
  bool claim_brief(const std::string& tenant, const std::string& date);

  /// Queues a claimed brief with its outbox row in one transaction, or
  /// records it failed (outside Meta's 24-hour window without a template).
  brief_queued queue_brief(const brief_delivery& d);

  /// Stores a message to send now, with no event behind it (the brief on
  /// demand); the row with its id.
  outbox_item enqueue(const outbox_item& item);

  // -- credentials at rest (store_credentials.cpp) ---------------------------

  void save_credential(const std::string& tenant, const std::string& provider,
                       const secrets::sealed& s);
  std::optional<secrets::sealed> load_credential(const std::string& tenant,
                                                 const std::string& provider);
  void create_oauth_flow(const std::string& state, const std::string& tenant,
                         const std::string& provider, const std::string& verifier,
                         const std::string& redirect_uri);
  /// The pending flow for `state`, marked as being exchanged (once); nothing
  /// for an unknown, used or expired state.
  std::optional<oauth_flow> take_oauth_flow(const std::string& state);
  void finish_oauth_flow(const std::string& state, const std::string& error);
  /// (pending|exchanging|connected|failed|expired|unknown, error)
  std::pair<std::string, std::string> oauth_flow_status(const std::string& state);

  /// A day's brief as recorded (state "" when there is none).
  brief_record brief_of(const std::string& tenant, const std::string& date);

  /// Held replies of a tenant (all tenants when empty) in `state` (draft or
  /// recorded), oldest first.
  std::vector<outbox_item> held_replies(const std::string& tenant,
                                        const std::string& state, int limit);

  /// Releases a draft for sending (send) or discards it. Returns the row as
  /// it now is and whether this call changed it; nullopt when there is none.
  std::optional<outbox_item> release_draft(int64_t id, bool send, bool& changed,
                                           std::string& state);

  // -- approvals and audit (store_approvals.cpp) ---------------------------

  /// Stores a pending approval that expires after `ttl_s`; returns its id.
  int64_t create_approval(const approval_record& r, int ttl_s);

  /// Decides a pending approval atomically: of concurrent decisions exactly
  /// one changes it. A pending approval past its expiry reads as expired and
  /// is never decided.
  /// `tenant` empty: any tenant. Returns the row afterwards (none: unknown)
  /// and whether this call decided it.
  std::optional<approval_record> decide_approval(int64_t id,
                                                 const std::string& tenant,
                                                 bool approve,
                                                 const std::string& by,
                                                 const std::string& via,
                                                 bool& decided);

  /// Ids of a tenant's pending approvals that have not expired.
  std::vector<int64_t> pending_approvals(const std::string& tenant);

  /// Records how an approved action ended (executed or failed).
  void finish_approval(int64_t id, const std::string& state,
                       const std::string& outcome);

  /// Writes a report for an approval's chat to the outbox (for decisions
  /// that did not come from that chat).
  outbox_item report_to_chat(const approval_record& r, const std::string& body);

  std::optional<approval_record> approval(int64_t id);
  /// Newest first; `state` empty: all.
  std::vector<approval_record> approvals(const std::string& state, int limit);

  /// At start: approved actions that never finished were interrupted by a
  /// crash; they are marked failed and never run again. Returns how many.
  int interrupt_unfinished_approvals();

  // -- bookings and customers (store_bookings.cpp) --------------------------

  /// Books `wanted` (tenant, service, customer, start, end, price, status) in
  /// one transaction under the tenant's lock: the same customer's booking
  /// of the same service made within 5 minutes is returned instead
  /// (`repeat`), and a start where `max_concurrent` bookings already
  /// overlap is refused with slot_unavailable.
  /// With `hold`, the booking is 'pending' and its approval and the owner's
  /// prompt are written in the same transaction.
  booking_attempt book(const booking_record& wanted, int max_concurrent,
                       const booking_hold* hold = nullptr);

  /// The owner decides a held booking's approval: in one transaction the
  /// approval (executed or denied, only while pending and not expired),
  /// the booking (confirmed or cancelled) and the customer's message.
  booking_decision decide_booking(int64_t approval_id, const std::string& tenant, bool approve,
                                  const std::string& by, const std::string& via,
                                  const std::string& business, const std::string& zone,
                                  const std::string& lang);

  /// Held bookings whose approval expired undecided: cancelled, each with
  /// the customer's message (the rows, to hand to a sender).
  std::vector<outbox_item> release_expired_holds(const std::string& tenant,
                                                 const std::string& business,
                                                 const std::string& zone,
                                                 const std::string& lang);

  /// The same customer's booking of the same service made within 5 minutes.
  std::optional<booking_record> recent_booking(const std::string& tenant,
                                               const std::string& customer,
                                               const std::string& service);

  /// Moves a booking of `customer` ("" for staff: any) to [start, end),
  /// under the same lock and capacity rule; not_found for someone else's.
  booking_attempt reschedule(const std::string& tenant, int64_t id, const std::string& customer,
                             int64_t start_ms, int64_t end_ms, int max_concurrent);

  /// Cancels a booking of `customer` ("" for staff: any); not_found for
  /// someone else's or a cancelled one.
  booking_attempt cancel_booking(const std::string& tenant, int64_t id,
                                 const std::string& customer);

  /// Bookings of a tenant that start in [from, to), of `customer` ("": all),
  /// in `status` ("": those that hold their place), earliest first.
  std::vector<booking_record> bookings(const std::string& tenant, const std::string& customer,
                                       int64_t from_ms, int64_t to_ms, const std::string& status);
  std::optional<booking_record> booking(int64_t id);

  /// Confirmed bookings whose one reminder is due now (`hours_before` their
  /// start), not yet queued, to customers who have not opted out; a booking
  /// made inside that time gets none.
  std::vector<booking_record> due_reminders(const std::string& tenant, int hours_before);
  /// Queues `row` as the booking's reminder if it is still due and not yet
  /// queued (checked under the booking's row lock, in the same statement
  /// that inserts the row): the outbox row, or nothing. Exactly once.
  std::optional<outbox_item> queue_reminder(int64_t booking_id, int hours_before,
                                            const outbox_item& row);

  /// The customer record: created at first contact, its name and last
  /// contact updated on every one.
  void touch_customer(const std::string& tenant, const std::string& number,
                      const std::string& name);

  // -- bookings in a business's own calendar (store_booking_calendar.cpp) ------

  /// Bookings of `tenant` ending after `after_ms` whose latest change its
  /// calendar has not seen, oldest change first, each with its version.
  std::vector<std::pair<booking_record, int>> unmirrored_bookings(const std::string& tenant,
                                                                  int64_t after_ms, int limit);
  /// The calendar shows booking `id` as of `version` (a later change stays
  /// unmirrored).
  void booking_mirrored(int64_t id, int version);

  // -- opt-outs and hand-overs (store_handover.cpp) ----------------------------

  /// STOP (true) or START (false) of a customer, per tenant.
  void set_opted_out(const std::string& tenant, const std::string& number, bool out);
  bool opted_out(const std::string& tenant, const std::string& number);

  /// Silences the bot in a chat until `until_ms`; true when it was not
  /// paused before (so staff are told once).
  bool pause_chat(const std::string& tenant, const std::string& chat, int64_t until_ms,
                  const std::string& reason);
  /// Lets the bot speak again; false when the chat was not paused.
  bool resume_chat(const std::string& tenant, const std::string& chat);
  /// When the pause ends (ms), 0 when the chat is not paused.
  int64_t paused_until(const std::string& tenant, const std::string& chat);

  /// Staff's `reply <number> <text>` (their message `event_id`): to a known
  /// customer whose window is open, an outbox row in that customer's chat,
  /// the text in its memory and the audit, once per staff message (a
  /// repeat after a crash queues nothing more).
  staff_reply_queued queue_staff_reply(const std::string& tenant, int64_t event_id,
                                       const std::string& staff, const std::string& channel,
                                       const staff_reply& reply);

  // -- tenants made over the admin API (store_tenants.cpp) ----------------------

  /// Every stored tenant as (id, JSON text), oldest first.
  std::vector<std::pair<std::string, std::string>> api_tenants();
  /// The stored JSON of one, if it exists.
  std::optional<std::string> api_tenant(const std::string& id);
  /// Stores a new one; false when the id is taken.
  bool insert_api_tenant(const std::string& id, const std::string& source);
  /// Replaces one's JSON; false when there is none.
  bool update_api_tenant(const std::string& id, const std::string& source);
  /// False when there is none.
  bool delete_api_tenant(const std::string& id);

  void audit(const std::string& tenant, const std::string& actor,
             const std::string& action, const std::string& subject,
             const std::string& decision, const std::string& detail);

  // -- workflows (store_workflows.cpp)

  /// Stores a trigger or a firing: {its id, true}; for a repeat of a
  /// non-empty `dedup_key`, {the first one's id, false}.
  std::pair<int64_t, bool> store_trigger(const std::string& kind, const std::string& name,
                                         const std::string& workflow,
                                         const std::string& dedup_key,
                                         const std::string& payload);
  /// Open events whose time has come (now `running`), oldest first, each with
  /// the outputs of its completed steps; not those in `busy` (under way).
  std::vector<workflow_event> due_workflow_events(const std::vector<int64_t>& busy, int limit);
  /// Milliseconds until the next open event not in `busy` is due; none when
  /// none is open.
  std::optional<int64_t> next_workflow_due_ms(const std::vector<int64_t>& busy);
  /// Step `n` completed with `output`, and its effect, in one transaction;
  /// the event is completed with its `last` step. Nothing (no effect) when
  /// the step had completed before; else the outbox rows it queued.
  std::optional<std::vector<outbox_item>>
  complete_step(int64_t event, int n, const std::string& kind, const std::string& output,
                const std::vector<std::string>& missing, bool last, const step_effect& effect);
  /// Step `n` failed: retried after `delay_ms`, or, at `max_attempts`, the
  /// event fails with the step and the error. True when it failed for good.
  bool fail_step(int64_t event, int n, const std::string& kind, const std::string& error,
                 int max_attempts, int64_t delay_ms);
  /// Step `n` waits for approval `approval_id`: recorded with the owner's
  /// prompt in the outbox, once; the event is looked at again after
  /// `look_again_ms`. The prompt rows when this is the first record.
  std::optional<std::vector<outbox_item>>
  wait_for_approval(int64_t event, int n, const std::string& kind, int64_t approval_id,
                    const outbox_item& prompt, int64_t look_again_ms);
  /// The event is looked at again after `ms`.
  void snooze_workflow_event(int64_t event, int64_t ms);
  /// A failed event runs again from its failed step; false when not failed.
  bool retry_workflow_event(int64_t id);
  /// The latest recorded firing of a schedule (ms), 0 for none.
  int64_t last_firing_ms(const std::string& schedule);
  /// GET /api/events as JSON, newest first, from the cursor `before`.
  std::string inspect_workflow_events(const std::string& kind, const std::string& status,
                                      int64_t before, int limit);
  /// GET /api/events/{id} as JSON with its payload and steps.
  std::optional<std::string> inspect_workflow_event(int64_t id);

private:
  /// Marks each duplicate message of `rows` still pending as `unanswered`.
  void mark_unanswered_repeats(const std::vector<event_row>& rows,
                                std::vector<insert_outcome>& out);

  connection db_;
};

} // namespace parley::storage
