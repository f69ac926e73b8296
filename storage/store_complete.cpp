// Completing a message on the blocking store: one statement
// (storage/completion_sql.cpp), or, for a task command, the command's reads
// and writes and that statement in one transaction.

#include "storage/store.hpp"

#include "storage/completion_sql.hpp"
#include "storage/outbox_rows.hpp"

#include "protocol/commands.hpp"

namespace parley::storage {

namespace {

/// Runs a deterministic command against the tasks table and returns the reply.
std::string run_command(transaction& tx, const completion& c) {
  auto& lang = c.language;
  auto& m = c.message;
  auto cmd = parse_command(c.command_line);
  auto open_titles = [&] {
    auto r = tx.exec("SELECT id, title FROM tasks WHERE tenant = $1 AND chat = $2"
                     " AND done_at IS NULL ORDER BY id",
                     {m.tenant, m.chat});
    std::vector<std::pair<int64_t, std::string>> out;
    for (int i = 0; i < r.rows(); ++i)
      out.emplace_back(r.int64(i, 0), r.text(i, 1));
    return out;
  };
  switch (cmd.kind) {
    case command_kind::help:
      return help_reply(lang);
    case command_kind::add_task: {
      tx.exec("INSERT INTO tasks (tenant, chat, title) VALUES ($1, $2, $3)",
              {m.tenant, m.chat, cmd.title});
      auto count = static_cast<int>(open_titles().size());
      return task_added_reply(lang, count, cmd.title);
    }
    case command_kind::list_tasks: {
      std::vector<std::string> titles;
      for (auto& t : open_titles())
        titles.push_back(t.second);
      return task_list_reply(lang, titles);
    }
    case command_kind::complete_task: {
      auto open = open_titles();
      if (cmd.number < 1 || static_cast<size_t>(cmd.number) > open.size())
        return no_such_task_reply(lang, cmd.number, open.size());
      auto& task = open[cmd.number - 1];
      tx.exec("UPDATE tasks SET done_at = now() WHERE id = $1",
              {num(task.first)});
      return task_done_reply(lang, cmd.number, task.second);
    }
    case command_kind::usage:
      return usage_reply(lang, cmd.word);
    default:  // live-data and gated commands come with the session's reply
      break;
  }
  return help_reply(lang);
}

/// The rows still to send of an event completed before.
std::vector<outbox_item> unsent_rows(connection& db, int64_t event_id) {
  auto s = unsent_rows_statement(event_id);
  return read_outbox(db.exec(s.sql, s.params));
}

} // namespace

completion_result store::complete(const completion& c,
                                  const std::string& channel) {
  auto& m = c.message;
  if (!needs_own_transaction(c)) {
    // Never a second reply: the statement writes nothing when the event was
    // done already.
    auto writes = completion_writes_of(c, c.reply, channel);
    auto s = completion_statement(writes);
    auto ids = completion_ids(db_.exec(s.sql, s.params));
    if (!ids)
      return completion_result{false, {}, unsent_rows(db_, m.event_id)};
    return applied(std::move(writes), *ids);
  }
  // A task command runs in the transaction that completes it, with the
  // event locked first so that it runs once.
  transaction tx(db_);
  auto pending = tx.exec("SELECT id FROM events WHERE id = $1 AND state = 'pending'"
                         " FOR UPDATE", {num(m.event_id)});
  if (pending.rows() == 0) {
    tx.commit();
    return completion_result{false, {}, unsent_rows(db_, m.event_id)};
  }
  auto writes = completion_writes_of(c, run_command(tx, c), channel);
  auto results = tx.commit({completion_statement(writes)});
  // The event was locked pending: the statement wrote.
  auto ids = completion_ids(results.at(0)).value_or(std::vector<std::string>{});
  return applied(std::move(writes), ids);
}

} // namespace parley::storage
