#include "storage/store.hpp"

#include "storage/outbox_rows.hpp"

#include "protocol/commands.hpp"
#include "protocol/group.hpp"
#include "protocol/signature.hpp"
#include "protocol/whatsapp_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>

namespace parley::storage {

namespace {

param opt(const std::string& s) {
  return s.empty() ? param{} : param{s};
}

std::string num(int64_t x) { return std::to_string(x); }

inbound_message read_message(const result& r, int i) {
  inbound_message m;
  m.event_id = r.int64(i, 0);
  m.provider = r.text(i, 1);
  m.tenant = r.text(i, 2);
  m.chat = r.text(i, 3);
  m.sender = r.text(i, 4);
  m.sender_name = r.text(i, 5);
  m.message_id = r.text(i, 6);
  m.kind = r.text(i, 7);
  m.text = r.text(i, 8);
  m.received_ms = r.int64(i, 9);
  m.context.group = r.text(i, 10) == "t";
  m.context.mentions = r.text_array(i, 11);
  m.context.quoted_id = r.text(i, 12);
  m.context.quoted_sender = r.text(i, 13);
  m.context.bot_id = r.text(i, 14);
  return m;
}

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
    case command_kind::none:
    case command_kind::shell:   // the session takes these to the policy gate
    case command_kind::approve:
    case command_kind::deny:
      break;
  }
  return help_reply(lang);
}

} // namespace

std::vector<insert_outcome>
store::insert_events(const std::vector<event_row>& rows) {
  // At most two round trips per batch: the inserts, then what they imply
  // (status and channel rows) and COMMIT.
  std::vector<statement> inserts;
  inserts.reserve(rows.size());
  for (auto& e : rows) {
    auto state = e.kind == "message" ? "pending"
                 : e.kind == "ignored" ? "ignored"
                                       : "done";
    auto& g = e.context;
    inserts.push_back(
      {"INSERT INTO events (provider, external_id, kind, tenant, chat, sender,"
       " sender_name, message_id, msg_type, body, state, reason, payload,"
       " done_at, is_group, mentions, quoted_id, quoted_sender, bot_id)"
       " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13::jsonb,"
       " CASE WHEN $11 = 'pending' THEN NULL ELSE now() END,"
       " $14, $15::text[], $16, $17, $18)"
       " ON CONFLICT (provider, external_id) DO NOTHING RETURNING id",
       {e.provider, e.external_id, e.kind, opt(e.tenant), opt(e.chat),
        opt(e.sender), opt(e.sender_name), opt(e.message_id), opt(e.msg_type),
        opt(e.body), std::string(state), opt(e.reason),
        e.payload.empty() ? param{} : param{e.payload},
        g.group ? "true" : "false",
        g.mentions.empty() ? param{} : param{text_array(g.mentions)},
        opt(g.quoted_id), opt(g.quoted_sender), opt(g.bot_id)}});
  }
  // A batch of messages alone implies nothing: one round trip with COMMIT.
  bool implies = std::any_of(rows.begin(), rows.end(), [](const event_row& e) {
    return e.kind == "channel" || e.kind == "status";
  });
  transaction tx(db_);
  auto inserted = implies ? tx.exec_all(std::move(inserts))
                          : tx.commit(std::move(inserts));
  std::vector<insert_outcome> out(rows.size());
  std::vector<statement> implied;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto& e = rows[i];
    if (inserted[i].rows() == 0) {
      out[i].duplicate = true;
      continue;
    }
    out[i].id = inserted[i].int64(0, 0);
    if (e.kind == "channel") // the newest connection state per instance
      implied.push_back(
        {"INSERT INTO channel_state (instance, state, bot_jid, qr_code,"
         " pairing_code) VALUES ($1, $2, $3, $4, $5)"
         " ON CONFLICT (instance) DO UPDATE SET"
         " state = coalesce(EXCLUDED.state, channel_state.state),"
         " bot_jid = coalesce(EXCLUDED.bot_jid, channel_state.bot_jid),"
         " qr_code = CASE WHEN EXCLUDED.state = 'open' THEN NULL"
         "   ELSE coalesce(EXCLUDED.qr_code, channel_state.qr_code) END,"
         " pairing_code = coalesce(EXCLUDED.pairing_code, channel_state.pairing_code),"
         " updated_at = now()",
         {e.chat, opt(e.channel_state), opt(e.context.bot_id), opt(e.qr_code),
          opt(e.pairing_code)}});
    if (e.kind == "status")
      // Statuses only move forward (sent < delivered < read); failed wins.
      // A row whose send was cut short by a crash is found by the outbox id
      // in the callback data: the status proves it went out.
      implied.push_back(
        {"UPDATE outbox SET state = $2, error_code = $3, error_title = $4,"
         " provider_message_id = coalesce(provider_message_id, $1),"
         " in_flight = false, sent_at = coalesce(sent_at, now()),"
         " updated_at = now() WHERE (provider_message_id = $1"
         " OR (id = $5 AND provider_message_id IS NULL)) AND ("
         " $2 = 'failed' OR (CASE state WHEN 'pending' THEN 0"
         " WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3"
         " ELSE 9 END) < (CASE $2 WHEN 'sent' THEN 1 WHEN 'delivered'"
         " THEN 2 WHEN 'read' THEN 3 ELSE 0 END))",
         {e.status.provider_message_id, e.status.status,
          e.status.error_code ? param{num(e.status.error_code)} : param{},
          opt(e.status.error_title), num(e.status.outbox_id)}});
  }
  if (implies)
    tx.commit(std::move(implied));
  mark_unanswered_repeats(rows, out);
  return out;
}

void store::mark_unanswered_repeats(const std::vector<event_row>& rows,
                                     std::vector<insert_outcome>& out) {
  // A repeat of a message still pending may be the only delivery left of it:
  // its first COMMIT can land while the answer to it is lost (the database
  // stopped in between), so the webhook got a 503 and nobody routed it. Its
  // id comes back so that the repeat is routed; sessions and complete() drop
  // a message they already have.
  std::vector<std::string> providers, external_ids;
  for (size_t i = 0; i < rows.size(); ++i)
    if (out[i].duplicate && rows[i].kind == "message") {
      providers.push_back(rows[i].provider);
      external_ids.push_back(rows[i].external_id);
    }
  if (providers.empty())
    return;
  auto r = db_.exec("SELECT e.id, e.provider, e.external_id"
                    " FROM unnest($1::text[], $2::text[]) AS k(provider, external_id)"
                    " JOIN events e USING (provider, external_id)"
                    " WHERE e.state = 'pending'",
                    {text_array(providers), text_array(external_ids)});
  std::map<std::pair<std::string, std::string>, int64_t> pending;
  for (int i = 0; i < r.rows(); ++i)
    pending[{r.text(i, 1), r.text(i, 2)}] = r.int64(i, 0);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!out[i].duplicate || rows[i].kind != "message")
      continue;
    auto it = pending.find({rows[i].provider, rows[i].external_id});
    if (it != pending.end()) {
      out[i].id = it->second;
      out[i].unanswered = true;
    }
  }
}

std::vector<memory_entry> store::load_memory(const std::string& tenant,
                                             const std::string& chat,
                                             int limit) {
  auto r = db_.exec("SELECT role, content FROM (SELECT id, role, content"
                    " FROM messages WHERE tenant = $1 AND chat = $2"
                    " ORDER BY id DESC LIMIT $3) m ORDER BY id",
                    {tenant, chat, std::to_string(limit)});
  std::vector<memory_entry> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.text(i, 0), r.text(i, 1)});
  return out;
}

completion_result store::complete(const completion& c,
                                  const std::string& channel) {
  completion_result out;
  auto& m = c.message;
  transaction tx(db_);
  auto claimed = tx.exec("UPDATE events SET state = 'done', done_at = now()"
                         " WHERE id = $1 AND state = 'pending' RETURNING id",
                         {num(m.event_id)});
  if (claimed.rows() == 0) {
    // Already complete: never a second reply. Its unsent rows come back, for
    // when the first answer was committed but lost on the way (a timeout):
    // the sender sends each row once, whoever hands it over.
    out.outbox = read_outbox(tx.exec("SELECT " OUTBOX_COLUMNS " FROM outbox"
                                     " WHERE event_id = $1 AND state = 'pending'"
                                     " ORDER BY id", {num(m.event_id)}));
    return out;
  }
  out.applied = true;
  // A task command runs here, in the transaction; live-data commands come
  // with their reply.
  if (c.path == answer_path::command && !c.command_line.empty())
    out.reply = run_command(tx, c);
  else
    out.reply = c.reply;
  // The rest goes in one round trip with the COMMIT.
  std::vector<statement> writes;
  std::vector<std::pair<size_t, outbox_item>> sent_rows;  // result index, row
  // The person wrote: Meta's 24-hour window runs from when it arrived (also
  // in a silent, handed-over chat, where a person may answer).
  if (c.path != answer_path::ignored)
    writes.push_back({"INSERT INTO conversations (tenant, chat, last_inbound_at)"
                      " VALUES ($1, $2, CASE WHEN $3::bigint > 0"
                      " THEN to_timestamp($3::bigint / 1000.0) ELSE now() END)"
                      " ON CONFLICT (tenant, chat) DO UPDATE SET last_at = now(),"
                      " last_inbound_at = greatest(conversations.last_inbound_at,"
                      " excluded.last_inbound_at)",
                      {m.tenant, m.chat, std::to_string(m.received_ms)}});
  if (c.path == answer_path::silent) { // heard in a group, not answered
    writes.push_back({"INSERT INTO messages (tenant, chat, role, content, event_id)"
                      " VALUES ($1, $2, 'user', $3, $4)",
                      {m.tenant, m.chat, memory_text(m), num(m.event_id)}});
  } else if (c.path != answer_path::ignored) {
    writes.push_back({"INSERT INTO messages (tenant, chat, role, content, event_id)"
                      " VALUES ($1, $2, 'user', $3, $4), ($1, $2, 'assistant', $5, $4)",
                      {m.tenant, m.chat, memory_text(m), num(m.event_id), out.reply}});
    // Held replies stay in the outbox as drafts or records; only pending
    // rows go to the sender. An approval prompt's last part carries the
    // approval, so it can be sent with buttons.
    auto state = c.hold.empty() ? std::string("pending") : c.hold;
    auto parts = split_message(out.reply);
    // In a group the reply goes to the group, quotes the message it answers
    // (first part) and mentions its author.
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
      writes.push_back({"INSERT INTO outbox (event_id, tenant, chat, channel,"
                        " recipient, part, body, state, approval_id, quoted_id,"
                        " quoted_text, mention)"
                        " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id",
                        {num(m.event_id), m.tenant, m.chat, channel, recipient,
                         std::to_string(part + 1), parts[part], state,
                         item.approval_id ? param{num(item.approval_id)} : param{},
                         opt(item.quoted_id), opt(item.quoted_text), opt(item.mention)}});
      if (c.hold.empty())
        sent_rows.emplace_back(writes.size() - 1, std::move(item));
    }
  }
  auto latency = c.started_us ? steady_us() - c.started_us : 0;
  if (!c.decision.method.empty()) {
    auto& d = c.decision;
    writes.push_back({"INSERT INTO decisions (event_id, tenant, chat, sender_name, message,"
                      " score, reason, threshold, method, replied, latency_us)"
                      " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                      {num(m.event_id), m.tenant, m.chat, opt(m.sender_name), m.text,
                       std::to_string(d.score), d.reason, std::to_string(d.threshold),
                       d.method, c.path == answer_path::silent ? "false" : "true",
                       num(latency)}});
  }
  writes.push_back({"INSERT INTO runs (event_id, tenant, sender_hash, path, latency_us,"
                    " error, steps) VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, '')::jsonb)",
                    {num(m.event_id), m.tenant, sha256_hex(m.sender).substr(0, 16),
                     to_string(c.path), num(latency), opt(c.error), c.trace}});
  auto results = tx.commit(std::move(writes));
  for (auto& [index, item] : sent_rows) {
    item.id = results[index].int64(0, 0);
    out.outbox.push_back(std::move(item));
  }
  return out;
}

std::vector<inbound_message>
store::pending_messages(const std::vector<std::string>& providers) {
  auto r = db_.exec(
    "SELECT id, provider, tenant, chat, sender, coalesce(sender_name, ''),"
    " coalesce(message_id, ''), coalesce(msg_type, ''), coalesce(body, ''),"
    " (extract(epoch FROM received_at) * 1000)::bigint, is_group,"
    " coalesce(mentions, '{}'), coalesce(quoted_id, ''),"
    " coalesce(quoted_sender, ''), coalesce(bot_id, '')"
    " FROM events WHERE state = 'pending' AND kind = 'message'"
    " AND provider = ANY($1::text[]) ORDER BY id",
    {text_array(providers)});
  std::vector<inbound_message> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(read_message(r, i));
  return out;
}


std::vector<outbox_item>
store::pending_outbox(const std::vector<std::string>& channels) {
  auto r = db_.exec("SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = 'pending'"
                    " AND channel = ANY($1::text[]) ORDER BY id",
                    {text_array(channels)});
  return read_outbox(r);
}

std::vector<outbox_item> store::held_replies(const std::string& tenant,
                                            const std::string& state,
                                            int limit) {
  auto r = db_.exec("SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = $2"
                    " AND ($1 = '' OR tenant = $1) ORDER BY id LIMIT $3",
                    {tenant, state, std::to_string(limit)});
  return read_outbox(r);
}

std::optional<outbox_item> store::release_draft(int64_t id, bool send,
                                                bool& changed,
                                                std::string& state) {
  // One atomic UPDATE: of two concurrent releases exactly one sends.
  auto r = db_.exec("UPDATE outbox SET state = $2, updated_at = now()"
                    " WHERE id = $1 AND state = 'draft'"
                    " RETURNING " OUTBOX_COLUMNS,
                    {num(id), send ? "pending" : "discarded"});
  changed = r.rows() == 1;
  if (!changed)
    r = db_.exec("SELECT " OUTBOX_COLUMNS ", state FROM outbox WHERE id = $1",
                 {num(id)});
  if (r.rows() == 0)
    return std::nullopt;
  state = changed ? (send ? "pending" : "discarded") : r.text(0, outbox_column_count);
  return read_outbox(r).front();
}

std::vector<decision_record> store::decisions(const std::string& tenant,
                                             const std::string& chat, int limit) {
  auto r = db_.exec(
    "SELECT id, tenant, chat, coalesce(sender_name, ''), message, score, reason,"
    " threshold, method, replied, latency_us,"
    " (extract(epoch FROM created_at) * 1000)::bigint FROM decisions"
    " WHERE ($1 = '' OR tenant = $1) AND ($2 = '' OR chat = $2)"
    " ORDER BY id DESC LIMIT $3",
    {tenant, chat, std::to_string(limit)});
  std::vector<decision_record> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3),
                   r.text(i, 4), std::stod(r.text(i, 5)), r.text(i, 6),
                   std::stod(r.text(i, 7)), r.text(i, 8), r.text(i, 9) == "t",
                   r.int64(i, 10), r.int64(i, 11)});
  return out;
}

std::vector<outbox_item> read_outbox(const result& r) {
  std::vector<outbox_item> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3),
                   r.text(i, 4), r.text(i, 5),
                   static_cast<int32_t>(r.int64(i, 6)), r.int64(i, 7),
                   r.text(i, 8), r.text(i, 9), r.text(i, 10),
                   r.text(i, 11) == "t", r.text(i, 12), r.text(i, 13), {}});
    auto params = nlohmann::json::parse(r.text(i, 14), nullptr, false);
    if (params.is_array())
      for (auto& p : params)
        if (p.is_string())
          out.back().template_params.push_back(p.get<std::string>());
  }
  return out;
}

} // namespace parley::storage
