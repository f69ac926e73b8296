#include "storage/store.hpp"

#include "storage/outbox_rows.hpp"


#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>

#include "protocol/media.hpp"

namespace parley::storage {

#define MESSAGE_COLUMNS \
  "id, provider, tenant, chat, sender, coalesce(sender_name, '')," \
  " coalesce(message_id, ''), coalesce(msg_type, ''), coalesce(body, '')," \
  " (extract(epoch FROM received_at) * 1000)::bigint, is_group," \
  " coalesce(mentions, '{}'), coalesce(quoted_id, '')," \
  " coalesce(quoted_sender, ''), coalesce(bot_id, '')," \
  " CASE WHEN msg_type IN ('audio', 'image', 'document', 'video', 'sticker', 'audioMessage'," \
  " 'imageMessage', 'documentMessage') THEN payload::text ELSE '' END"

namespace {

param opt(const std::string& s) {
  return s.empty() ? param{} : param{s};
}

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
  if (m.provider == "meta")
    media::read_media(m.kind, r.text(i, 15), m.media_id, m.media_mime, m.media_name);
  else if (m.provider == "evolution")
    media::read_evolution_media(m.kind, r.text(i, 15), m.message_id, m.media_id, m.media_mime,
                                m.media_name);
  return m;
}

std::vector<inbound_message> read_messages(const result& r) {
  std::vector<inbound_message> out;
  out.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(read_message(r, i));
  return out;
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

std::vector<int64_t>
store::pending_message_ids(const std::vector<std::string>& providers) {
  auto r = db_.exec("SELECT id FROM events WHERE state = 'pending' AND kind = 'message'"
                    " AND provider = ANY($1::text[]) ORDER BY id",
                    {text_array(providers)});
  std::vector<int64_t> out;
  out.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(r.int64(i, 0));
  return out;
}

std::vector<inbound_message>
store::pending_messages(const std::vector<int64_t>& ids) {
  if (ids.empty())
    return {};
  return read_messages(db_.exec("SELECT " MESSAGE_COLUMNS " FROM events"
                                " WHERE id = ANY($1::bigint[]) AND state = 'pending'"
                                " ORDER BY id", {bigint_array(ids)}));
}

std::vector<inbound_message>
store::pending_messages(const std::string& tenant, const std::string& chat) {
  return read_messages(db_.exec("SELECT " MESSAGE_COLUMNS " FROM events"
                                " WHERE state = 'pending' AND kind = 'message'"
                                " AND tenant = $1 AND chat = $2 ORDER BY id",
                                {tenant, chat}));
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
