// Completing messages: the event done, the conversation touched, the memory
// appended, the reply's outbox rows, the group decision and the run, as one
// statement for one completion or for a batch of them.

#include "storage/completion_sql.hpp"

#include "storage/outbox_rows.hpp"

#include "protocol/group.hpp"
#include "protocol/signature.hpp"
#include "protocol/whatsapp_text.hpp"

namespace parley::storage {

namespace {

param opt(const std::string& s) {
  return s.empty() ? param{} : param{s};
}

std::string boolean(bool b) { return b ? "true" : "false"; }

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
  "  - $23::bigint) END, $28::bigint, NULLIF($29::text, '') FROM claimed),"
  // A task command's write: the Nth open task is marked done only while it
  // is still the one whose title the reply names.
  " added AS ("
  "  INSERT INTO tasks (tenant, chat, title)"
  "  SELECT $2::text, $3::text, $30::text FROM claimed WHERE $30::text <> ''),"
  " finished AS ("
  "  UPDATE tasks SET done_at = now() WHERE $31::int > 0 AND title = $32::text"
  "  AND EXISTS (SELECT FROM claimed) AND id = (SELECT o.id FROM tasks o"
  "  WHERE o.tenant = $2::text AND o.chat = $3::text AND o.done_at IS NULL"
  "  ORDER BY o.id OFFSET greatest($31::int - 1, 0) LIMIT 1))"
  " SELECT (SELECT count(*) FROM claimed),"
  "  coalesce((SELECT array_agg(id ORDER BY part) FROM reply), '{}')::text[]";

// The same writes for a batch: one row of `input` per completion (k is its
// place in the batch), the memory lines and reply parts flattened beside it
// with the k they belong to. "" stands for NULL in the optional columns. Two
// completions of one event (a retry) claim it once; each conversation is
// upserted once, in key order.
constexpr const char* batch_sql =
  "WITH input AS ("
  "  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[],"
  "  $5::boolean[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[],"
  "  $11::text[], $12::text[], $13::text[], $14::text[], $15::float8[], $16::text[],"
  "  $17::float8[], $18::text[], $19::boolean[], $20::bigint[], $21::text[],"
  "  $22::text[], $23::text[], $24::text[], $25::bigint[], $26::text[], $27::int[],"
  "  $28::text[], $29::int[], $30::text[])"
  "  WITH ORDINALITY AS i(event_id, tenant, chat, received_ms, heard, channel,"
  "  recipient, state, approval_id, quoted_id, quoted_text, mention, sender_name,"
  "  message, score, reason, threshold, method, replied, latency_us, sender_hash,"
  "  path, error, trace, storage_us, transcript, parts, task_added, task_done,"
  "  task_done_title, k)),"
  " claimed AS ("
  "  UPDATE events e SET state = 'done', done_at = now() FROM input i"
  "  WHERE e.id = i.event_id AND e.state = 'pending' RETURNING i.*),"
  " conversation AS ("
  "  INSERT INTO conversations (tenant, chat, last_inbound_at)"
  "  SELECT tenant, chat, max(CASE WHEN received_ms > 0"
  "    THEN to_timestamp(received_ms / 1000.0) ELSE now() END)"
  "  FROM claimed WHERE heard GROUP BY tenant, chat ORDER BY tenant, chat"
  "  ON CONFLICT (tenant, chat) DO UPDATE SET last_at = now(),"
  "  last_inbound_at = greatest(conversations.last_inbound_at,"
  "  excluded.last_inbound_at)),"
  " memory AS ("
  "  INSERT INTO messages (tenant, chat, role, content, event_id)"
  "  SELECT c.tenant, c.chat, m.role, m.content, c.event_id"
  "  FROM unnest($31::bigint[], $32::text[], $33::text[])"
  "    WITH ORDINALITY AS m(k, role, content, n) JOIN claimed c ON c.k = m.k"
  "  ORDER BY m.n),"
  " reply AS ("
  "  INSERT INTO outbox (event_id, tenant, chat, channel, recipient, part, body,"
  "  state, approval_id, quoted_id, quoted_text, mention)"
  "  SELECT c.event_id, c.tenant, c.chat, c.channel, c.recipient, p.part, p.body,"
  "  c.state, CASE WHEN p.part = c.parts THEN NULLIF(c.approval_id, 0) END,"
  "  CASE WHEN p.part = 1 THEN NULLIF(c.quoted_id, '') END,"
  "  CASE WHEN p.part = 1 THEN NULLIF(c.quoted_text, '') END,"
  "  CASE WHEN p.part = 1 THEN NULLIF(c.mention, '') END"
  "  FROM unnest($34::bigint[], $35::int[], $36::text[])"
  "    WITH ORDINALITY AS p(k, part, body, n) JOIN claimed c ON c.k = p.k"
  "  ORDER BY p.n RETURNING id, event_id, part),"
  " decision AS ("
  "  INSERT INTO decisions (event_id, tenant, chat, sender_name, message, score,"
  "  reason, threshold, method, replied, latency_us)"
  "  SELECT event_id, tenant, chat, NULLIF(sender_name, ''), message, score, reason,"
  "  threshold, method, replied, latency_us FROM claimed WHERE method <> ''"
  "  ORDER BY k),"
  " run AS ("
  "  INSERT INTO runs (id, event_id, tenant, sender_hash, path, latency_us, error, steps,"
  "  queue_us, storage_us, transcript)"
  "  SELECT event_id, event_id, tenant, sender_hash, path, latency_us, NULLIF(error, ''),"
  "  NULLIF(trace, '')::jsonb, CASE WHEN received_ms > 0 THEN GREATEST(0,"
  "  (extract(epoch FROM clock_timestamp()) * 1000000)::bigint - received_ms * 1000"
  "  - latency_us) END, storage_us, NULLIF(transcript, '') FROM claimed),"
  " added AS ("
  "  INSERT INTO tasks (tenant, chat, title)"
  "  SELECT tenant, chat, task_added FROM claimed WHERE task_added <> '' ORDER BY k),"
  " finished AS ("
  "  UPDATE tasks t SET done_at = now() FROM claimed c"
  "  WHERE c.task_done > 0 AND t.title = c.task_done_title AND t.id = (SELECT o.id"
  "  FROM tasks o WHERE o.tenant = c.tenant AND o.chat = c.chat AND o.done_at IS NULL"
  "  ORDER BY o.id OFFSET c.task_done - 1 LIMIT 1))"
  " SELECT c.k, coalesce(array_agg(r.id ORDER BY r.part)"
  "  FILTER (WHERE r.id IS NOT NULL), '{}')::text[]"
  " FROM claimed c LEFT JOIN reply r ON r.event_id = c.event_id GROUP BY c.k";

} // namespace

completion_writes completion_writes_of(const completion& c, const std::string& reply,
                                       const std::string& channel) {
  auto& m = c.message;
  completion_writes out;
  out.reply = reply;
  auto& v = out.row;
  // The person wrote: Meta's 24-hour window runs from when it arrived (also
  // in a silent, handed-over chat, where a person may answer).
  v.heard = c.path != answer_path::ignored;
  if (c.path == answer_path::silent) {  // heard in a group, not answered
    v.roles = {"user"};
    v.contents = {memory_text(m)};
  } else if (v.heard) {
    v.roles = {"user", "assistant"};
    v.contents = {memory_text(m), reply};
    v.parts = split_message(reply);
  }
  // In a group the reply goes to the group, quotes the message it answers
  // (first part) and mentions its author. An approval prompt's last part
  // carries the approval, so it can be sent with buttons.
  auto group = m.context.group;
  v.event_id = m.event_id;
  v.tenant = m.tenant;
  v.chat = m.chat;
  v.received_ms = m.received_ms;
  v.channel = channel;
  v.recipient = group ? m.chat : m.sender;
  // Held replies stay in the outbox as drafts or records; only pending rows
  // go to the sender.
  v.state = c.hold.empty() ? std::string("pending") : c.hold;
  v.approval_id = c.approval_id;
  if (group) {
    v.quoted_id = m.message_id;
    v.quoted_text = m.text;
    v.mention = m.sender;
  }
  v.sender_name = m.sender_name;
  v.text = m.text;
  auto& d = c.decision;
  v.score = std::to_string(d.score);
  v.reason = d.reason;
  v.threshold = std::to_string(d.threshold);
  v.method = d.method;
  v.replied = c.path != answer_path::silent;
  v.latency_us = c.started_us ? steady_us() - c.started_us : 0;
  v.sender_hash = sha256_hex(m.sender).substr(0, 16);
  v.path = to_string(c.path);
  v.error = c.error;
  v.trace = c.trace;
  v.storage_us = c.storage_us;
  v.transcript = m.via == "voice note" ? m.text : std::string();
  v.task_added = c.task_added;
  v.task_done = c.task_done;
  v.task_done_title = c.task_done_title;
  if (c.hold.empty()) {
    for (size_t part = 0; part < v.parts.size(); ++part) {
      auto item = outbox_item::to(0, m.tenant, m.chat, channel, v.recipient, v.parts[part]);
      item.approval_id = part + 1 == v.parts.size() ? c.approval_id : 0;
      if (part == 0) {
        item.quoted_id = v.quoted_id;
        item.quoted_text = v.quoted_text;
        item.mention = v.mention;
      }
      out.rows.push_back(std::move(item));
    }
  }
  return out;
}

statement completion_statement(const completion_writes& w) {
  auto& v = w.row;
  return {completion_sql,
          {num(v.event_id), v.tenant, v.chat, num(v.received_ms), boolean(v.heard),
           text_array(v.roles), text_array(v.contents), v.channel, v.recipient, v.state,
           text_array(v.parts), v.approval_id ? param{num(v.approval_id)} : param{},
           opt(v.quoted_id), opt(v.quoted_text), opt(v.mention), opt(v.sender_name), v.text,
           v.score, v.reason, v.threshold, v.method, boolean(v.replied), num(v.latency_us),
           v.sender_hash, v.path, opt(v.error), v.trace, num(v.storage_us), v.transcript,
           v.task_added, std::to_string(v.task_done), v.task_done_title}};
}

statement completion_batch_statement(const std::vector<completion_writes>& ws) {
  constexpr size_t columns = 30;
  std::vector<std::vector<std::string>> in(columns);
  std::vector<std::string> memory_k, roles, contents, part_k, part_n, bodies;
  for (size_t k = 1; k <= ws.size(); ++k) {
    auto& v = ws[k - 1].row;
    size_t c = 0;  // in the order of batch_sql's input columns
    in[c++].push_back(num(v.event_id));
    in[c++].push_back(v.tenant);
    in[c++].push_back(v.chat);
    in[c++].push_back(num(v.received_ms));
    in[c++].push_back(boolean(v.heard));
    in[c++].push_back(v.channel);
    in[c++].push_back(v.recipient);
    in[c++].push_back(v.state);
    in[c++].push_back(num(v.approval_id));
    in[c++].push_back(v.quoted_id);
    in[c++].push_back(v.quoted_text);
    in[c++].push_back(v.mention);
    in[c++].push_back(v.sender_name);
    in[c++].push_back(v.text);
    in[c++].push_back(v.score);
    in[c++].push_back(v.reason);
    in[c++].push_back(v.threshold);
    in[c++].push_back(v.method);
    in[c++].push_back(boolean(v.replied));
    in[c++].push_back(num(v.latency_us));
    in[c++].push_back(v.sender_hash);
    in[c++].push_back(v.path);
    in[c++].push_back(v.error);
    in[c++].push_back(v.trace);
    in[c++].push_back(num(v.storage_us));
    in[c++].push_back(v.transcript);
    in[c++].push_back(std::to_string(v.parts.size()));
    in[c++].push_back(v.task_added);
    in[c++].push_back(std::to_string(v.task_done));
    in[c++].push_back(v.task_done_title);
    for (size_t i = 0; i < v.roles.size() && i < v.contents.size(); ++i) {
      memory_k.push_back(std::to_string(k));
      roles.push_back(v.roles[i]);
      contents.push_back(v.contents[i]);
    }
    for (size_t i = 0; i < v.parts.size(); ++i) {
      part_k.push_back(std::to_string(k));
      part_n.push_back(std::to_string(i + 1));
      bodies.push_back(v.parts[i]);
    }
  }
  statement s{batch_sql, {}, true};
  s.params.reserve(columns + 6);
  for (auto& column : in)
    s.params.push_back(text_array(column));
  for (auto* flat : {&memory_k, &roles, &contents, &part_k, &part_n, &bodies})
    s.params.push_back(text_array(*flat));
  return s;
}

std::optional<std::vector<std::string>> completion_ids(const result& r) {
  if (r.int64(0, 0) == 0)
    return std::nullopt;
  return r.text_array(0, 1);
}

std::vector<std::optional<std::vector<std::string>>> batch_ids(const result& r, size_t n) {
  std::vector<std::optional<std::vector<std::string>>> out(n);
  for (int i = 0; i < r.rows(); ++i) {
    auto k = static_cast<size_t>(r.int64(i, 0));
    if (k >= 1 && k <= n)
      out[k - 1] = r.text_array(i, 1);
  }
  return out;
}

completion_result applied(completion_writes writes, const std::vector<std::string>& ids) {
  completion_result out;
  out.applied = true;
  out.reply = std::move(writes.reply);
  auto& rows = writes.rows;
  for (size_t i = 0; i < rows.size() && i < ids.size(); ++i) {
    rows[i].id = std::stoll(ids[i]);
    out.outbox.push_back(std::move(rows[i]));
  }
  return out;
}

statement unsent_rows_statement(int64_t event_id) {
  return {"SELECT " OUTBOX_COLUMNS " FROM outbox"
          " WHERE event_id = $1 AND state = 'pending' ORDER BY id",
          {num(event_id)}};
}

} // namespace parley::storage
