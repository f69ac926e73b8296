// The operator's read-only window: conversations, their messages with the
// path each answer took, and the runs (traces), newest first, a page at a
// time. Answers are JSON text; a trace carries the sender's hash, never a
// number (the steps' arguments were masked when they were recorded).

#include "storage/store.hpp"

#include <nlohmann/json.hpp>

namespace parley::storage {

using nlohmann::json;

namespace {

json page(const char* name, json items, const std::string& next) {
  return {{name, std::move(items)}, {"next", next.empty() ? json() : json(next)}};
}

/// The cursor after a full page ordered by the id in column 0; none after
/// the last page.
std::string next_id(const result& r, int limit) {
  return r.rows() == limit ? num(r.int64(r.rows() - 1, 0)) : std::string();
}

json run_json(const result& r, int i) {
  json steps = json::array();
  if (!r.text(i, 7).empty())
    steps = json::parse(r.text(i, 7), nullptr, false);
  return {{"id", r.int64(i, 0)},
          {"event_id", r.int64(i, 1)},
          {"tenant", r.text(i, 2)},
          {"sender_hash", r.text(i, 3)},
          {"path", r.text(i, 4)},
          {"latency_ms", r.int64(i, 5) / 1000.0},
          {"queue_ms", r.int64(i, 9) / 1000.0},
          {"storage_ms", r.int64(i, 10) / 1000.0},
          {"transcript", r.text(i, 11).empty() ? json() : json(r.text(i, 11))},
          {"error", r.text(i, 6)},
          {"steps", steps.is_discarded() ? json::array() : steps},
          {"created_ms", r.int64(i, 8)}};
}

constexpr const char* run_columns =
  "r.id, coalesce(r.event_id, 0), r.tenant, r.sender_hash, r.path, r.latency_us,"
  " coalesce(r.error, ''), coalesce(r.steps::text, ''),"
  " (extract(epoch FROM r.created_at) * 1000)::bigint, coalesce(r.queue_us, 0),"
  " coalesce(r.storage_us, 0), coalesce(r.transcript, '')";

} // namespace

std::string store::inspect_conversations(const std::string& tenant, const std::string& before,
                                         int limit) {
  // The cursor is the last row's (last activity in µs, tenant, chat): a
  // page never repeats or skips a conversation that has not moved since.
  int64_t at_us = 0;
  std::string after_tenant, after_chat;
  if (auto bar = before.find('|'); bar != std::string::npos) {
    auto second = before.find('|', bar + 1);
    try {
      at_us = std::stoll(before.substr(0, bar));
    } catch (const std::exception&) {
      at_us = 0;
    }
    after_tenant = before.substr(bar + 1, second - bar - 1);
    after_chat = second == std::string::npos ? "" : before.substr(second + 1);
  }
  auto r = db_.exec(
    "SELECT c.tenant, c.chat, (extract(epoch FROM c.last_at) * 1000000)::bigint,"
    " (SELECT count(*) FROM messages m WHERE m.tenant = c.tenant AND m.chat = c.chat),"
    " coalesce(c.paused_until > now(), false), c.chat LIKE '%@g.us'"
    " FROM conversations c WHERE ($1 = '' OR c.tenant = $1)"
    " AND ($2::bigint = 0 OR (c.last_at, c.tenant, c.chat)"
    "  < ('epoch'::timestamptz + $2::bigint * interval '1 microsecond', $3, $4))"
    " ORDER BY c.last_at DESC, c.tenant DESC, c.chat DESC LIMIT $5",
    {tenant, num(at_us), after_tenant, after_chat, num(limit)});
  json items = json::array();
  for (int i = 0; i < r.rows(); ++i)
    items.push_back({{"tenant", r.text(i, 0)},
                     {"chat", r.text(i, 1)},
                     {"last_activity_ms", r.int64(i, 2) / 1000},
                     {"messages", r.int64(i, 3)},
                     {"paused", r.text(i, 4) == "t"},
                     {"group", r.text(i, 5) == "t"}});
  std::string next;
  if (r.rows() == limit)
    next = r.text(r.rows() - 1, 2) + "|" + r.text(r.rows() - 1, 0) + "|"
           + r.text(r.rows() - 1, 1);
  return page("conversations", items, next).dump();
}

std::string store::inspect_messages(const std::string& tenant, const std::string& chat,
                                    int64_t before, int limit) {
  auto r = db_.exec(
    "SELECT m.id, m.role, m.content, (extract(epoch FROM m.created_at) * 1000)::bigint,"
    " coalesce(m.event_id, 0), coalesce(r.path, ''), coalesce(r.id, 0)"
    " FROM messages m LEFT JOIN runs r ON r.event_id = m.event_id"
    " WHERE m.tenant = $1 AND m.chat = $2 AND ($3::bigint = 0 OR m.id < $3)"
    " ORDER BY m.id DESC LIMIT $4",
    {tenant, chat, num(before), num(limit)});
  json items = json::array();
  for (int i = 0; i < r.rows(); ++i)
    items.push_back({{"id", r.int64(i, 0)},
                     {"who", r.text(i, 1)},
                     {"text", r.text(i, 2)},
                     {"created_ms", r.int64(i, 3)},
                     {"event_id", r.int64(i, 4)},
                     {"path", r.text(i, 5)},
                     {"run_id", r.int64(i, 6)}});
  return page("messages", items, next_id(r, limit)).dump();
}

std::string store::inspect_runs(const std::string& tenant, const std::string& chat,
                                int64_t before, int limit) {
  auto r = db_.exec(std::string("SELECT ") + run_columns
                      + " FROM runs r LEFT JOIN events e ON e.id = r.event_id"
                        " WHERE ($1 = '' OR r.tenant = $1) AND ($2 = '' OR e.chat = $2)"
                        " AND ($3::bigint = 0 OR r.id < $3) ORDER BY r.id DESC LIMIT $4",
                    {tenant, chat, num(before), num(limit)});
  json items = json::array();
  for (int i = 0; i < r.rows(); ++i)
    items.push_back(run_json(r, i));
  return page("runs", items, next_id(r, limit)).dump();
}

std::optional<std::string> store::inspect_run(int64_t id) {
  auto r = db_.exec(std::string("SELECT ") + run_columns + " FROM runs r WHERE r.id = $1",
                    {num(id)});
  if (r.rows() == 0)
    return std::nullopt;
  auto run = run_json(r, 0);
  // The send: each part of the reply, how it fared (no recipient).
  auto sends = db_.exec("SELECT part, state, attempts, coalesce(error_code, 0),"
                        " coalesce(error_title, ''),"
                        " (extract(epoch FROM (coalesce(sent_at, updated_at) - created_at))"
                        "  * 1000)::bigint"
                        " FROM outbox WHERE event_id = $1 AND event_id <> 0 ORDER BY id",
                        {num(run["event_id"].get<int64_t>())});
  json parts = json::array();
  for (int i = 0; i < sends.rows(); ++i)
    parts.push_back({{"part", sends.int64(i, 0)},
                     {"state", sends.text(i, 1)},
                     {"attempts", sends.int64(i, 2)},
                     {"error_code", sends.int64(i, 3)},
                     {"error", sends.text(i, 4)},
                     {"latency_ms", sends.int64(i, 5)}});
  run["send"] = parts;
  return run.dump();
}

} // namespace parley::storage
