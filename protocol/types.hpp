#pragma once

// The domain types that travel between actors. Plain structs: no JSON, no
// database handles, no sockets. Their `inspect` functions live in
// actors/type_ids.hpp, next to the type-ID block.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace parley {

/// Steady-clock microseconds, for latencies (`completion::started_us`).
inline int64_t steady_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch())
    .count();
}

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
};

/// Which way a message was answered; stored in `runs.path`.
enum class answer_path : uint8_t { command, llm, fallback, ignored };

/// What the session asks storage to commit when it has handled an event.
struct completion {
  inbound_message message;
  answer_path path = answer_path::ignored;
  std::string command_line;  ///< the text to run as a command (path command)
  std::string reply;         ///< the reply for llm/fallback paths
  std::string language;      ///< reply language for commands
  int64_t started_us = 0;    ///< steady-clock microseconds when work began
  std::string error;         ///< why the LLM was not used, if it was not
};

/// What storage answers after committing a completion.
struct completion_result {
  bool applied = false;  ///< false: the event was already complete
  std::string reply;     ///< the reply as stored in memory
  std::vector<outbox_item> outbox;
};

/// A chat-completions request, built by the session from its memory.
struct llm_request {
  std::string system_prompt;
  std::vector<memory_entry> messages;  ///< memory then the new user message
};

/// A delivery report from the channel, applied to an outbox row.
struct delivery_status {
  std::string provider_message_id;
  std::string status;  ///< sent, delivered, read, failed
  int64_t error_code = 0;
  std::string error_title;
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

} // namespace parley
