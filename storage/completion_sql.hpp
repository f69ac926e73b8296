#pragma once

// The statements that complete messages: one completion (the blocking store,
// storage/store_complete.cpp, and a group commit of one), or a batch of them
// in one statement (the group commit, storage/group_commit.cpp). Both write
// the same rows — the event done, the conversation, the memory, the outbox
// rows, the group decision, the run and a task command's write — each
// guarded by its event turning from pending to done.

#include "protocol/types.hpp"
#include "storage/pg.hpp"

#include <optional>
#include <string>
#include <vector>

namespace parley::storage {

/// What a completion writes, worked out once for either statement.
struct completion_writes {
  struct values {
    int64_t event_id = 0;
    std::string tenant, chat;
    int64_t received_ms = 0;
    bool heard = false;  ///< the person wrote: the 24-hour window runs
    std::vector<std::string> roles, contents;  ///< appended to the memory
    std::vector<std::string> parts;            ///< the reply's outbox parts
    std::string channel, recipient, state;
    int64_t approval_id = 0;  ///< on the last part; 0 for none
    // On the first part, in a group; "" for none.
    std::string quoted_id, quoted_text, mention;
    std::string sender_name, text;
    // The group decision ("" method: none).
    std::string score, reason, threshold, method;
    bool replied = false;
    int64_t latency_us = 0;
    std::string sender_hash, path, error, trace;
    int64_t storage_us = 0;
    std::string transcript;  ///< a voice note's words
    std::string task_added;  ///< "": none
    int task_done = 0;       ///< the open task's place; 0: none
    std::string task_done_title;
  } row;
  std::string reply;
  std::vector<outbox_item> rows;  ///< to hand to the sender (none when held)
};

completion_writes completion_writes_of(const completion& c, const std::string& reply,
                                       const std::string& channel);

/// One completion as one statement; its result is one row.
statement completion_statement(const completion_writes& w);

/// Many completions as one statement: one executor start and one bind for
/// the batch. Planned at each execution (it joins sets of rows).
statement completion_batch_statement(const std::vector<completion_writes>& ws);

/// From one completion's result: its outbox ids in part order when it wrote,
/// nothing when its event was done before.
std::optional<std::vector<std::string>> completion_ids(const result& r);

/// From a batch's result: the same for each completion, in batch order.
std::vector<std::optional<std::vector<std::string>>> batch_ids(const result& r, size_t n);

/// What the session learns from a completion that wrote: the reply and the
/// outbox rows with their ids.
completion_result applied(completion_writes writes, const std::vector<std::string>& ids);

/// The rows still to send of an event completed before: for when the first
/// answer was committed but lost on the way (a timeout). The sender sends
/// each row once, whoever hands it over.
statement unsent_rows_statement(int64_t event_id);

} // namespace parley::storage
