// Completing a message: the event done, the conversation touched, the memory
// appended, the reply's outbox rows, the group decision and the run — one
// statement, so one round trip and one commit per message.

#include "storage/store.hpp"

#include "storage/completion_sql.hpp"
#include "storage/outbox_rows.hpp"

#include "protocol/commands.hpp"
#include "protocol/group.hpp"
#include "protocol/signature.hpp"
#include "protocol/whatsapp_text.hpp"

namespace parley::storage {

namespace {

param opt(const std::string& s) {
  return s.empty() ? param{} : param{s};
}

std::string boolean(bool b) { return b ? "true" : "false"; }

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

// Every write of a completion hangs off `claimed`, the event turning from
// pending to done: when it was already done, nothing is written. Data-
// modifying CTEs all run, referenced or not; parameters are cast because
// INSERT … SELECT does not take its column types from the target.
constexpr const char* completion_sql =
  "WITH claimed AS ("
  "  UPDATE events SET state = 'done', done_at = now()"
  "  WHERE id = $1::bigint AND state = 'pending' RETURNING id),"
  " conversation AS ("
  "  INSERT INTO conversations (tenant, chat, last_inbound_at)"
  "  SELECT $2::text, $3::text, CASE WHEN $4::bigint > 0"
  "    THEN to_timestamp($4::bigint / 1000.0) ELSE now() END"
  "  FROM claimed WHERE $5::boolean"
  "  ON CONFLICT (tenant, chat) DO UPDATE SET last_at = now(),"
  "  last_inbound_at = greatest(conversations.last_inbound_at,"
  "  excluded.last_inbound_at)),"
  " memory AS ("
  "  INSERT INTO messages (tenant, chat, role, content, event_id)"
  "  SELECT $2::text, $3::text, m.role, m.content, claimed.id"
  "  FROM claimed, unnest($6::text[], $7::text[]) WITH ORDINALITY AS m(role, content, n)"
  "  ORDER BY m.n),"
  " reply AS ("
  "  INSERT INTO outbox (event_id, tenant, chat, channel, recipient, part, body,"
  "  state, approval_id, quoted_id, quoted_text, mention)"
  "  SELECT claimed.id, $2::text, $3::text, $8::text, $9::text, p.n, p.body, $10::text,"
  "  CASE WHEN p.n = cardinality($11::text[]) THEN $12::bigint END,"
  "  CASE WHEN p.n = 1 THEN $13::text END, CASE WHEN p.n = 1 THEN $14::text END,"
  "  CASE WHEN p.n = 1 THEN $15::text END"
  "  FROM claimed, unnest($11::text[]) WITH ORDINALITY AS p(body, n)"
  "  ORDER BY p.n RETURNING id, part),"
  " decision AS ("
  "  INSERT INTO decisions (event_id, tenant, chat, sender_name, message, score,"
  "  reason, threshold, method, replied, latency_us)"
  "  SELECT claimed.id, $2::text, $3::text, $16::text, $17::text,"
  "  $18::double precision, $19::text, $20::double precision, $21::text,"
  "  $22::boolean, $23::bigint FROM claimed WHERE $21::text <> ''),"
  // A message's run takes its event's id, known from the moment the message
  // arrives: the log lines and the LLM's X-Request-Id of the run carry it.
  // (Runs written before this kept serial ids, all below the events' ids.)
  " run AS ("
  // The queue part: from the acknowledgement ($4, wall ms) to the start of
  // the handling, i.e. the time to this commit less the handling itself.
  "  INSERT INTO runs (id, event_id, tenant, sender_hash, path, latency_us, error, steps,"
  "  queue_us, storage_us, transcript)"
  "  SELECT claimed.id, claimed.id, $2::text, $24::text, $25::text, $23::bigint, $26::text,"
  "  NULLIF($27::text, '')::jsonb, CASE WHEN $4::bigint > 0 THEN GREATEST(0,"
  "  (extract(epoch FROM clock_timestamp()) * 1000000)::bigint - $4::bigint * 1000"
  "  - $23::bigint) END, $28::bigint, NULLIF($29::text, '') FROM claimed)"
  " SELECT (SELECT count(*) FROM claimed),"
  "  coalesce((SELECT array_agg(id ORDER BY part) FROM reply), '{}')::text[]";

} // namespace

completion_writes completion_statement(const completion& c, const std::string& reply,
                                       const std::string& channel) {
  auto& m = c.message;
  completion_writes out;
  out.reply = reply;
  std::vector<std::string> roles, contents, parts;
  // The person wrote: Meta's 24-hour window runs from when it arrived (also
  // in a silent, handed-over chat, where a person may answer).
  bool heard = c.path != answer_path::ignored;
  if (c.path == answer_path::silent) {  // heard in a group, not answered
    roles = {"user"};
    contents = {memory_text(m)};
  } else if (heard) {
    roles = {"user", "assistant"};
    contents = {memory_text(m), reply};
    parts = split_message(reply);
  }
  // In a group the reply goes to the group, quotes the message it answers
  // (first part) and mentions its author. An approval prompt's last part
  // carries the approval, so it can be sent with buttons.
  auto group = m.context.group;
  auto recipient = group ? m.chat : m.sender;
  for (size_t part = 0; part < parts.size(); ++part) {
    auto item = outbox_item::to(0, m.tenant, m.chat, channel, recipient, parts[part]);
    item.approval_id = part + 1 == parts.size() ? c.approval_id : 0;
    if (group && part == 0) {
      item.quoted_id = m.message_id;
      item.quoted_text = m.text;
      item.mention = m.sender;
    }
    out.rows.push_back(std::move(item));
  }
  // Held replies stay in the outbox as drafts or records; only pending rows
  // go to the sender.
  auto state = c.hold.empty() ? std::string("pending") : c.hold;
  auto latency = c.started_us ? steady_us() - c.started_us : 0;
  auto& d = c.decision;
  out.sql = {completion_sql,
             {num(m.event_id), m.tenant, m.chat, num(m.received_ms), boolean(heard),
              text_array(roles), text_array(contents), channel, recipient, state,
              text_array(parts), c.approval_id ? param{num(c.approval_id)} : param{},
              group ? opt(m.message_id) : param{}, group ? opt(m.text) : param{},
              group ? opt(m.sender) : param{},
              opt(m.sender_name), m.text, std::to_string(d.score), d.reason,
              std::to_string(d.threshold), d.method,
              boolean(c.path != answer_path::silent), num(latency),
              sha256_hex(m.sender).substr(0, 16), to_string(c.path), opt(c.error),
              c.trace, num(c.storage_us),
              m.via == "voice note" ? m.text : std::string()}};
  if (!c.hold.empty())
    out.rows.clear();
  return out;
}

statement unsent_rows_statement(int64_t event_id) {
  return {"SELECT " OUTBOX_COLUMNS " FROM outbox"
          " WHERE event_id = $1 AND state = 'pending' ORDER BY id",
          {num(event_id)}};
}

bool completion_applied(const result& r) { return r.int64(0, 0) > 0; }

completion_result applied(completion_writes writes, const result& r) {
  completion_result out;
  out.applied = true;
  out.reply = std::move(writes.reply);
  auto ids = r.text_array(0, 1);
  auto& rows = writes.rows;
  for (size_t i = 0; i < rows.size() && i < ids.size(); ++i) {
    rows[i].id = std::stoll(ids[i]);
    out.outbox.push_back(std::move(rows[i]));
  }
  return out;
}

namespace {

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
    auto writes = completion_statement(c, c.reply, channel);
    auto r = db_.exec(writes.sql.sql, writes.sql.params);
    if (!completion_applied(r))
      return completion_result{false, {}, unsent_rows(db_, m.event_id)};
    return applied(std::move(writes), r);
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
  auto writes = completion_statement(c, run_command(tx, c), channel);
  auto results = tx.commit({writes.sql});
  return applied(std::move(writes), results.at(0));
}

} // namespace parley::storage
