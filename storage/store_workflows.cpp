// Workflow events: triggers stored once per key, the steps' outcomes, each
// completed step guarded so that it is never done twice, the API's view.

#include "storage/outbox_rows.hpp"
#include "storage/store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace parley::storage {

using json = nlohmann::json;

std::pair<int64_t, bool> store::store_trigger(const std::string& kind, const std::string& name,
                                              const std::string& workflow,
                                              const std::string& dedup_key,
                                              const std::string& payload) {
  // A repeat of a key finds the first event; without a key every trigger is new.
  auto made = db_.exec("INSERT INTO workflow_events (kind, name, workflow, dedup_key, payload)"
                       " VALUES ($1, $2, $3, NULLIF($4, ''), $5::jsonb)"
                       " ON CONFLICT (kind, name, dedup_key) DO NOTHING RETURNING id",
                       {kind, name, workflow, dedup_key, payload});
  if (made.rows() == 1)
    return {made.int64(0, 0), true};
  auto first = db_.exec("SELECT id FROM workflow_events WHERE kind = $1 AND name = $2"
                        " AND dedup_key = $3",
                        {kind, name, dedup_key});
  return {first.int64(0, 0), false};
}

std::vector<workflow_event> store::due_workflow_events(const std::vector<int64_t>& busy,
                                                      int limit) {
  transaction tx(db_);
  auto r = tx.exec("UPDATE workflow_events SET status = 'running', updated_at = now()"
                   " WHERE id IN (SELECT id FROM workflow_events"
                   "  WHERE status IN ('pending', 'running') AND next_at <= now()"
                   "  AND NOT id = ANY($2::bigint[]) ORDER BY id LIMIT $1)"
                   " RETURNING id, kind, name, workflow, payload::text, attempts, retries",
                   {num(limit), bigint_array(busy)});
  std::vector<workflow_event> out;
  for (int i = 0; i < r.rows(); ++i) {
    workflow_event e;
    e.id = r.int64(i, 0);
    e.kind = r.text(i, 1);
    e.name = r.text(i, 2);
    e.workflow = r.text(i, 3);
    e.payload = r.text(i, 4);
    e.attempts = static_cast<int>(r.int64(i, 5));
    e.retries = static_cast<int>(r.int64(i, 6));
    e.status = "running";
    auto steps = tx.exec("SELECT coalesce(output, '') FROM workflow_steps"
                         " WHERE event_id = $1 AND status = 'completed' ORDER BY n",
                         {num(e.id)});
    for (int k = 0; k < steps.rows(); ++k)
      e.outputs.push_back(steps.text(k, 0));
    auto waiting = tx.exec("SELECT coalesce(approval_id, 0) FROM workflow_steps"
                           " WHERE event_id = $1 AND status = 'waiting'",
                           {num(e.id)});
    if (waiting.rows() == 1)
      e.waiting_approval = waiting.int64(0, 0);
    out.push_back(std::move(e));
  }
  tx.commit();
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.id < b.id; });
  return out;
}

std::optional<int64_t> store::next_workflow_due_ms(const std::vector<int64_t>& busy) {
  // NULL when no event is open (not through greatest(0, …), which would
  // make it 0: a look every few milliseconds of an idle parley).
  auto r = db_.exec("SELECT (extract(epoch FROM min(next_at) - now()) * 1000)::bigint"
                    " FROM workflow_events WHERE status IN ('pending', 'running')"
                    " AND NOT id = ANY($1::bigint[])",
                    {bigint_array(busy)});
  if (r.rows() == 0 || r.is_null(0, 0))
    return std::nullopt;
  return std::max<int64_t>(0, r.int64(0, 0));
}

std::optional<std::vector<outbox_item>>
store::complete_step(int64_t event, int n, const std::string& kind, const std::string& output,
                     const std::vector<std::string>& missing, bool last,
                     const step_effect& effect) {
  transaction tx(db_);
  // The guard: a step completes once; a second completion (a retry after a
  // lost answer, a crash between the effect and the next step) writes nothing.
  auto guard = tx.exec(
    "INSERT INTO workflow_steps (event_id, n, kind, status, attempts, output, missing)"
    " SELECT $1, $2, $3, 'completed', e.attempts + 1, $4, $5::text[]"
    " FROM workflow_events e WHERE e.id = $1"
    " ON CONFLICT (event_id, n) DO UPDATE SET status = 'completed',"
    "  attempts = excluded.attempts, output = excluded.output, error = NULL,"
    "  missing = excluded.missing, updated_at = now()"
    " WHERE workflow_steps.status <> 'completed' RETURNING 1",
    {num(event), num(n), kind, output, text_array(missing)});
  if (guard.rows() == 0)
    return std::nullopt;
  std::vector<outbox_item> rows;
  if (effect.send) {
    auto& row = *effect.send;
    rows = read_outbox(tx.exec(
      "INSERT INTO outbox (tenant, chat, channel, recipient, body)"
      " VALUES ($1, $2, $3, $4, $5) RETURNING " OUTBOX_COLUMNS,
      {row.tenant, row.chat, row.channel, row.recipient, row.body}));
  }
  if (!effect.task_title.empty())
    tx.exec("INSERT INTO tasks (tenant, chat, title) VALUES ($1, $2, $3)",
            {effect.task_tenant, effect.task_chat, effect.task_title});
  tx.exec("UPDATE workflow_events SET status = $2, attempts = 0, error = NULL,"
          " updated_at = now() WHERE id = $1",
          {num(event), last ? "completed" : "running"});
  tx.commit();
  return rows;
}

bool store::fail_step(int64_t event, int n, const std::string& kind, const std::string& error,
                      int max_attempts, int64_t delay_ms) {
  transaction tx(db_);
  auto r = tx.exec("UPDATE workflow_events SET attempts = attempts + 1,"
                   " status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE 'running' END,"
                   " error = CASE WHEN attempts + 1 >= $3 THEN 'step ' || $2 || ' (' || $5"
                   "  || ') failed: ' || $4 ELSE $4 END,"
                   " next_at = now() + $6::bigint * interval '1 millisecond', updated_at = now()"
                   " WHERE id = $1 AND status = 'running' RETURNING attempts, status",
                   {num(event), num(n), num(max_attempts), error, kind, num(delay_ms)});
  if (r.rows() == 0)
    return false;
  tx.exec("INSERT INTO workflow_steps (event_id, n, kind, status, attempts, error)"
          " VALUES ($1, $2, $3, 'failed', $4, $5)"
          " ON CONFLICT (event_id, n) DO UPDATE SET status = 'failed',"
          "  attempts = excluded.attempts, error = excluded.error, updated_at = now()"
          " WHERE workflow_steps.status <> 'completed'",
          {num(event), num(n), kind, r.text(0, 0), error});
  tx.commit();
  return r.text(0, 1) == "failed";
}

std::optional<std::vector<outbox_item>>
store::wait_for_approval(int64_t event, int n, const std::string& kind, int64_t approval_id,
                         const outbox_item& prompt, int64_t look_again_ms) {
  transaction tx(db_);
  // Recorded once: the prompt goes with the first record only.
  auto first = tx.exec(
    "INSERT INTO workflow_steps (event_id, n, kind, status, attempts, approval_id)"
    " VALUES ($1, $2, $3, 'waiting', 1, $4)"
    " ON CONFLICT (event_id, n) DO UPDATE SET status = 'waiting',"
    "  approval_id = excluded.approval_id, error = NULL, updated_at = now()"
    " WHERE workflow_steps.status NOT IN ('completed', 'waiting') RETURNING 1",
    {num(event), num(n), kind, num(approval_id)});
  std::vector<outbox_item> rows;
  if (first.rows() == 1)
    rows = read_outbox(tx.exec(
      "INSERT INTO outbox (tenant, chat, channel, recipient, body, approval_id)"
      " VALUES ($1, $2, $3, $4, $5, $6) RETURNING " OUTBOX_COLUMNS,
      {prompt.tenant, prompt.chat, prompt.channel, prompt.recipient, prompt.body,
       num(approval_id)}));
  tx.exec("UPDATE workflow_events SET next_at = now() + $2::bigint * interval '1 millisecond',"
          " updated_at = now() WHERE id = $1",
          {num(event), num(look_again_ms)});
  tx.commit();
  if (first.rows() == 0)
    return std::nullopt;
  return rows;
}

void store::snooze_workflow_event(int64_t event, int64_t ms) {
  db_.exec("UPDATE workflow_events SET next_at = now() + $2::bigint * interval '1 millisecond'"
           " WHERE id = $1",
           {num(event), num(ms)});
}

bool store::retry_workflow_event(int64_t id) {
  auto r = db_.exec("UPDATE workflow_events SET status = 'pending', attempts = 0, error = NULL,"
                    " retries = retries + 1, next_at = now(), updated_at = now()"
                    " WHERE id = $1 AND status = 'failed' RETURNING 1",
                    {num(id)});
  return r.rows() == 1;
}

int64_t store::last_firing_ms(const std::string& schedule) {
  // A schedule's key is its firing instant in milliseconds.
  auto r = db_.exec("SELECT coalesce(max(dedup_key::bigint), 0) FROM workflow_events"
                    " WHERE kind = 'schedule' AND name = $1",
                    {schedule});
  return r.int64(0, 0);
}

namespace {

constexpr const char* event_columns =
  "e.id, e.kind, e.name, e.workflow, e.status, e.attempts, coalesce(e.error, ''),"
  " to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
  " to_char(e.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
  " e.payload::text";

json event_json(const result& r, int i) {
  return {{"id", r.int64(i, 0)},
          {"kind", r.text(i, 1)},
          {"name", r.text(i, 2)},
          {"workflow", r.text(i, 3)},
          {"status", r.text(i, 4)},
          {"attempts", r.int64(i, 5)},
          {"error", r.text(i, 6).empty() ? json() : json(r.text(i, 6))},
          {"created_at", r.text(i, 7)},
          {"updated_at", r.text(i, 8)}};
}

} // namespace

std::string store::inspect_workflow_events(const std::string& kind, const std::string& status,
                                           int64_t before, int limit) {
  auto r = db_.exec(std::string("SELECT ") + event_columns
                      + " FROM workflow_events e WHERE ($1 = '' OR e.kind = $1)"
                        " AND ($2 = '' OR e.status = $2) AND ($3::bigint = 0 OR e.id < $3)"
                        " ORDER BY e.id DESC LIMIT $4",
                    {kind, status, num(before), num(limit)});
  json items = json::array();
  for (int i = 0; i < r.rows(); ++i)
    items.push_back(event_json(r, i));
  json next = r.rows() == limit ? json(r.int64(r.rows() - 1, 0)) : json();
  return json{{"events", items}, {"next", next}}.dump();
}

std::optional<std::string> store::inspect_workflow_event(int64_t id) {
  auto r = db_.exec(std::string("SELECT ") + event_columns
                      + " FROM workflow_events e WHERE e.id = $1",
                    {num(id)});
  if (r.rows() == 0)
    return std::nullopt;
  auto e = event_json(r, 0);
  e["payload"] = json::parse(r.text(0, 9), nullptr, false);
  auto steps = db_.exec("SELECT n, kind, status, attempts, coalesce(output, ''),"
                        " coalesce(error, ''), coalesce(missing, '{}')"
                        " FROM workflow_steps WHERE event_id = $1 ORDER BY n",
                        {num(id)});
  json list = json::array();
  for (int i = 0; i < steps.rows(); ++i)
    list.push_back({{"n", steps.int64(i, 0)},
                    {"kind", steps.text(i, 1)},
                    {"status", steps.text(i, 2)},
                    {"attempts", steps.int64(i, 3)},
                    {"output", steps.text(i, 4)},
                    {"error", steps.text(i, 5).empty() ? json() : json(steps.text(i, 5))},
                    {"missing", steps.text_array(i, 6)}});
  e["steps"] = list;
  return e.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace parley::storage
