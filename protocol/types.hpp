#pragma once

// The domain types that travel between actors. Plain structs: no JSON, no
// database handles, no sockets. Their `inspect` functions live in
// actors/type_ids.hpp, next to the type-ID block.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace parley {

/// Steady-clock microseconds, for latencies (`completion::started_us`).
inline int64_t steady_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch())
    .count();
}

/// Wall-clock milliseconds that never step: the wall clock read once, when
/// the process first asks, advanced by the monotonic clock. A duration that
/// must outlive a restart (an approval's time to live) is stored as a wall
/// deadline from this and compared with this while parley runs, so a step
/// of the system clock neither expires nor extends it; only a restart
/// re-reads the wall clock.
inline int64_t steady_wall_ms() {
  using namespace std::chrono;
  static const auto anchor = std::make_pair(system_clock::now(), steady_clock::now());
  auto now = anchor.first + duration_cast<system_clock::duration>(
                              steady_clock::now() - anchor.second);
  return duration_cast<milliseconds>(now.time_since_epoch()).count();
}

/// Where a message sits in a group chat (Evolution API): what it mentions
/// and quotes. Empty for direct chats and Meta.
struct group_context {
  bool group = false;
  std::string bot_id;                 ///< the bot's own JID, as the channel reported it
  std::vector<std::string> mentions;  ///< mentioned JIDs
  std::string quoted_id;              ///< the message this one replies to
  std::string quoted_sender;          ///< that message's author (JID)
};

/// A message from a person that parley has committed and must answer once.
struct inbound_message {
  int64_t event_id = 0;
  std::string provider;     ///< "meta" or "console"
  std::string tenant;       ///< tenant id from the config
  std::string chat;         ///< conversation key inside the tenant
  std::string sender;       ///< the sender's phone number (wa_id)
  std::string sender_name;  ///< profile name, may be empty
  std::string message_id;   ///< the provider's message id (wamid)
  std::string kind;         ///< text, interactive, image, audio, ...
  std::string text;         ///< text, button title or caption; may be empty
  int64_t received_ms = 0;  ///< when the webhook was committed
  /// A voice note, picture or document: its media id at the provider, its
  /// type and (a document) its file name; empty for text.
  std::string media_id, media_mime, media_name;
  /// How `text` came to be when it was not typed: "voice note" (the
  /// transcript), "picture" (its caption); remembered with that label.
  std::string via;
  group_context context;
};

/// One entry of a conversation's memory.
struct memory_entry {
  std::string role;  ///< "user" or "assistant"
  std::string content;
};

/// Identifies one conversation.
struct conversation_key {
  std::string tenant;
  std::string chat;
};

/// A reply waiting in (or leaving) the outbox.
struct outbox_item {
  int64_t id = 0;
  std::string tenant;
  std::string chat;
  std::string channel;  ///< "meta" or "console"
  std::string recipient;
  std::string body;
  int32_t attempts = 0;
  int64_t approval_id = 0;  ///< an approval prompt: sent with buttons on Meta
  std::string quoted_id;    ///< Evolution: the message this reply quotes ...
  std::string quoted_text;  ///< ... and its text
  std::string mention;      ///< Evolution groups: the number addressed
  bool in_doubt = false;    ///< a send was under way when parley stopped
  /// Meta: the approved template that goes instead when the 24-hour window
  /// is closed; without one, the row fails with outside_24h_window.
  std::string template_name;
  std::string template_language;
  std::vector<std::string> template_params;  ///< the template's {{1}}, {{2}}, ...

  /// A row to send `body` to `recipient` in a chat.
  static outbox_item to(int64_t id, std::string tenant, std::string chat,
                        std::string channel, std::string recipient,
                        std::string body) {
    outbox_item item;
    item.id = id;
    item.tenant = std::move(tenant);
    item.chat = std::move(chat);
    item.channel = std::move(channel);
    item.recipient = std::move(recipient);
    item.body = std::move(body);
    return item;
  }
};

/// What became of an attempt at sending an outbox row, to be recorded.
struct outbox_outcome {
  int64_t id = 0;
  std::string state;                ///< "sent", "retrying" or "failed"
  int32_t attempts = 0;
  std::string provider_message_id;  ///< sent: the provider's message id
  int64_t error_code = 0;           ///< failed: the provider's code, 0 for none
  std::string error;                ///< retrying, failed: why
};

/// An outbox row marked in flight, free to go; with when its recipient last
/// wrote in that tenant (ms, 0: never), for Meta's 24-hour window.
struct outbox_claim {
  int64_t id = 0;
  int64_t last_inbound_ms = 0;
};

/// Which way a message was answered; stored in `runs.path`.
enum class answer_path : uint8_t { command, llm, fallback, ignored, action, silent };

/// Whether a group message deserves a reply, and why.
struct relevance {
  double score = 0;
  std::string reason;
  std::string method;     ///< rule, llm, none; empty: not a group message
  double threshold = 0;   ///< the tenant's threshold when it was decided
};

/// A stored relevance decision (GET /api/decisions).
struct decision_record {
  int64_t id = 0;
  std::string tenant, chat, sender_name, message;
  double score = 0;
  std::string reason;
  double threshold = 0;
  std::string method;
  bool replied = false;
  int64_t latency_us = 0;
  int64_t created_ms = 0;
};

/// What the session asks storage to commit when it has handled an event.
struct completion {
  inbound_message message;
  answer_path path = answer_path::ignored;
  std::string reply;         ///< what the person is answered
  int64_t started_us = 0;    ///< steady-clock microseconds when work began
  int64_t storage_us = 0;    ///< of that work, reading the conversation's memory
  std::string image_url;     ///< a picture for the model (data: URL), never stored
  std::string error;         ///< why the LLM was not used, if it was not
  int64_t approval_id = 0;   ///< the reply asks for this approval
  std::string hold;          ///< "": send; "draft" or "recorded": the policy holds it
  relevance decision;        ///< group messages: why it was answered or not
  std::string trace;         ///< the agent loop's rounds and calls, JSON ("": none)
  // A task command's write, made by the completion's own statement, so once:
  std::string task_added;       ///< `taak: …`: the task to add ("": none)
  int task_done = 0;            ///< `klaar N`: N, the open task's place (0: none)
  std::string task_done_title;  ///< its title as read: the write checks it
};

/// What storage answers after committing a completion.
struct completion_result {
  bool applied = false;  ///< false: the event was already complete
  std::string reply;     ///< the reply as stored in memory
  std::vector<outbox_item> outbox;
};

/// A completion committed together with others: its result, or why it could
/// not be stored ("" when it was).
struct completion_outcome {
  completion_result result;
  std::string error;
};

/// A function call the model asked for.
struct tool_call {
  std::string id;
  std::string name;
  std::string arguments;  ///< JSON text, as the model wrote it
};

/// One round of the agent loop: the model's calls and one result for each.
struct tool_round {
  std::vector<tool_call> calls;
  std::vector<std::string> results;  ///< in the order of the calls
};

/// A chat-completions request, built by the session from its memory.
struct llm_request {
  std::string system_prompt;
  std::vector<memory_entry> messages;  ///< memory then the new user message
  std::vector<std::string> tools;      ///< tools the model may call (protocol/tools)
  std::vector<tool_round> rounds;      ///< earlier rounds of this turn, in order
  int64_t run_id = 0;  ///< the run it serves (its X-Request-Id); 0: none
  std::string image_url;  ///< a picture with the last user message (a data: URL)
};

/// The model's answer: text, or calls of the offered tools (or both).
struct llm_answer {
  std::string text;
  std::vector<tool_call> calls;
  int64_t prompt_tokens = 0;  ///< as the server counted them; 0: not told
  int64_t completion_tokens = 0;
};

/// A consent flow started: the page to open, and the state it returns with.
struct oauth_start {
  std::string url;
  std::string state;
};

/// How an agent turn (the model with tools) ended.
struct turn_outcome {
  std::string text;      ///< the reply
  answer_path path = answer_path::fallback;  ///< llm, action or fallback
  std::string error;     ///< why the model was not the answer, if it was not
  int64_t approval_id = 0;  ///< the reply asks for this approval
  int32_t rounds = 0;    ///< model calls made
  int32_t tool_calls = 0;
  std::string trace;     ///< every round and tool call, JSON (protocol/run_trace)
};

/// A delivery report from the channel, applied to an outbox row.
struct delivery_status {
  std::string provider_message_id;
  std::string status;  ///< sent, delivered, read, failed
  int64_t error_code = 0;
  std::string error_title;
  int64_t outbox_id = 0;  ///< from biz_opaque_callback_data, when we sent it
};

std::string to_string(answer_path p);

/// How a shell command ended (the shell connector's answer).
struct shell_outcome {
  bool started = false;    ///< false: see error (not found, bad workdir)
  int32_t exit_code = -1;  ///< when it exited by itself
  int32_t signal = 0;      ///< when a signal ended it
  bool timed_out = false;
  bool truncated = false;  ///< it printed more than the cap and was stopped
  std::string output;      ///< stdout and stderr, interleaved
  std::string error;
};

/// An action with side effects (today: a shell command) asked of the gate.
struct action_request {
  std::string tenant;
  std::string chat;          ///< where the request came from, and the report goes
  std::string channel;       ///< how that chat is reached (meta, console)
  std::string requested_by;
  std::string language;
  std::string kind = "shell";
  std::string line;          ///< the command as typed
  int64_t event_id = 0;      ///< the message that asked; one approval per message
};

/// The gate's answer: allow (ran; `reply` is the outcome), deny (`reply`
/// says why) or pending (an approval was created; `reply` asks for it).
struct policy_decision {
  std::string verdict;       ///< allow, deny, pending
  int64_t approval_id = 0;
  std::string reason;
  std::string reply;         ///< the text for the requester's chat
};

/// An owner's (or the admin API's) answer to an approval.
struct approval_reply {
  std::string tenant;        ///< empty: any tenant (admin API)
  int64_t id = 0;            ///< 0: the tenant's only pending approval
  bool approve = false;
  std::string by;            ///< a phone number, "console" or "admin"
  std::string via;           ///< chat, button, http
  std::string language = "en";
};

/// What became of an approval reply. `status`: executed, failed, denied,
/// not_found, conflict (already decided), expired, forbidden, none_pending,
/// ambiguous.
struct approval_outcome {
  std::string status;
  int64_t id = 0;
  std::string state;         ///< the approval's state afterwards
  std::string reply;         ///< the text for the chat that answered
};

/// One look at an Evolution instance: its state and, while it is not open,
/// the codes to pair it. `error` says why the Evolution API could not be
/// asked.
struct instance_report {
  std::string error;
  bool created = false;      ///< it was created just now
  std::string webhook;       ///< where its webhook points, when set just now
  std::string state;         ///< open, connecting, close; "" unknown
  std::string qr_code;       ///< the text to render as a QR code
  std::string pairing_code;
};

/// An approval as stored.
struct approval_record {
  int64_t id = 0;
  std::string tenant, chat, channel, kind;
  std::vector<std::string> argv;
  std::string summary, requested_by, reason, state;
  int64_t event_id = 0;
  std::string decided_by, decided_via, outcome;
  int64_t created_ms = 0, expires_ms = 0;
};

/// What became of a change to a tenant over the admin API. `refused` is ""
/// when it took effect, else: invalid (with every problem, each naming its
/// key), exists, not_found, managed_by_file, unavailable (the database).
struct tenant_change {
  std::string refused;
  std::string detail;
  std::vector<std::string> problems;
  std::string tenant;  ///< the effective configuration, as JSON text
};

} // namespace parley
