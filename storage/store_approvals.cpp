#include "storage/store.hpp"

#include <map>

namespace parley::storage {

namespace {

/// A pending approval past its expiry reads as expired; reads never write.
/// `now` names the parameter that carries parley's steady wall clock (see
/// steady_wall_ms): expiry is measured on it, not on the server's clock.
std::string approval_state(const std::string& now) {
  return "(CASE WHEN state = 'pending' AND expires_at <= " + now
         + " THEN 'expired' ELSE state END)";
}

std::string approval_columns(const std::string& now) {
  return "id, tenant, chat, channel, kind, summary, requested_by, reason, "
         + approval_state(now)
         + ", coalesce(decided_by, ''), coalesce(decided_via, ''), coalesce(outcome, ''),"
           " (extract(epoch FROM created_at) * 1000)::bigint,"
           " (extract(epoch FROM expires_at) * 1000)::bigint";
}

approval_record read_approval(const result& r, int i) {
  approval_record a;
  a.id = r.int64(i, 0);
  a.tenant = r.text(i, 1);
  a.chat = r.text(i, 2);
  a.channel = r.text(i, 3);
  a.kind = r.text(i, 4);
  a.summary = r.text(i, 5);
  a.requested_by = r.text(i, 6);
  a.reason = r.text(i, 7);
  a.state = r.text(i, 8);
  a.decided_by = r.text(i, 9);
  a.decided_via = r.text(i, 10);
  a.outcome = r.text(i, 11);
  a.created_ms = r.int64(i, 12);
  a.expires_ms = r.int64(i, 13);
  return a;
}

/// Fills in the exact argv of each record, element by element, with one
/// query for all of them.
void attach_argv(connection& db, std::vector<approval_record>& rows) {
  if (rows.empty())
    return;
  std::vector<std::string> ids;
  for (auto& a : rows)
    ids.push_back(std::to_string(a.id));
  auto r = db.exec("SELECT id, a FROM approvals, unnest(argv) WITH ORDINALITY"
                   " AS u(a, n) WHERE id = ANY($1::bigint[]) ORDER BY id, n",
                   {text_array(ids)});
  std::map<int64_t, std::vector<std::string>> argv;
  for (int i = 0; i < r.rows(); ++i)
    argv[r.int64(i, 0)].push_back(r.text(i, 1));
  for (auto& a : rows)
    a.argv = std::move(argv[a.id]);
}

/// One record, with its argv, from a result of approval_columns.
std::optional<approval_record> single(connection& db, const result& r) {
  if (r.rows() == 0)
    return std::nullopt;
  std::vector<approval_record> rows{read_approval(r, 0)};
  attach_argv(db, rows);
  return rows.front();
}

} // namespace

int64_t store::create_approval(const approval_record& a, int ttl_s) {
  auto r = db_.exec(
    "INSERT INTO approvals (tenant, chat, channel, kind, argv, summary,"
    " requested_by, reason, expires_at, event_id) VALUES ($1, $2, $3, $4,"
    " $5::text[], $6, $7, $8, " + steady_deadline("$11", "$9") + ", $10)"
    // A message handled again after a crash finds its approval, not a new one.
    " ON CONFLICT (event_id) DO UPDATE SET event_id = EXCLUDED.event_id"
    " RETURNING id",
    {a.tenant, a.chat, a.channel, a.kind, text_array(a.argv), a.summary,
     a.requested_by, a.reason, std::to_string(ttl_s),
     a.event_id ? param{std::to_string(a.event_id)} : param{},
     std::to_string(steady_wall_ms())});
  return r.int64(0, 0);
}

std::optional<approval_record>
store::decide_approval(int64_t id, const std::string& tenant, bool approve,
                       const std::string& by, const std::string& via,
                       bool& decided) {
  auto r = db_.exec(std::string("UPDATE approvals SET state = $2,"
                                " decided_by = $3, decided_via = $4,"
                                " decided_at = now() WHERE id = $1"
                                " AND state = 'pending' AND expires_at > " + steady_now("$6")
                                + " AND ($5 = '' OR tenant = $5) RETURNING ")
                      + approval_columns(steady_now("$6")),
                    {std::to_string(id), approve ? "approved" : "denied", by,
                     via, tenant, std::to_string(steady_wall_ms())});
  decided = r.rows() == 1;
  if (decided)
    return single(db_, r);
  auto a = approval(id);
  if (a && !tenant.empty() && a->tenant != tenant)
    return std::nullopt; // another tenant's approval does not exist here
  return a;
}

std::vector<int64_t> store::pending_approvals(const std::string& tenant) {
  auto r = db_.exec("SELECT id FROM approvals WHERE tenant = $1"
                    " AND state = 'pending' AND expires_at > " + steady_now("$2")
                      + " ORDER BY id",
                    {tenant, std::to_string(steady_wall_ms())});
  std::vector<int64_t> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(r.int64(i, 0));
  return out;
}

void store::finish_approval(int64_t id, const std::string& state,
                            const std::string& outcome) {
  db_.exec("UPDATE approvals SET state = $2, outcome = $3, finished_at = now()"
           " WHERE id = $1 AND state = 'approved'",
           {std::to_string(id), state, outcome});
}

outbox_item store::report_to_chat(const approval_record& a,
                                  const std::string& body) {
  auto r = db_.exec("INSERT INTO outbox (tenant, chat, channel, recipient, body)"
                    " VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    {a.tenant, a.chat, a.channel, a.requested_by, body});
  return outbox_item::to(r.int64(0, 0), a.tenant, a.chat, a.channel,
                         a.requested_by, body);
}

std::optional<approval_record> store::approval(int64_t id) {
  auto r = db_.exec("SELECT " + approval_columns(steady_now("$2"))
                      + " FROM approvals WHERE id = $1",
                    {std::to_string(id), std::to_string(steady_wall_ms())});
  return single(db_, r);
}

std::vector<approval_record> store::approvals(const std::string& state,
                                              int limit) {
  auto now = steady_now("$3");
  auto r = db_.exec("SELECT " + approval_columns(now)
                      + " FROM approvals WHERE ($1 = '' OR " + approval_state(now)
                      + " = $1) ORDER BY id DESC LIMIT $2",
                    {state, std::to_string(limit), std::to_string(steady_wall_ms())});
  std::vector<approval_record> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(read_approval(r, i));
  attach_argv(db_, out);
  return out;
}

int store::interrupt_unfinished_approvals() {
  auto r = db_.exec("UPDATE approvals SET state = 'failed', finished_at = now(),"
                    " outcome = 'interrupted by a restart; not run again'"
                    " WHERE state = 'approved' RETURNING id");
  return r.rows();
}

void store::audit(const std::string& tenant, const std::string& actor,
                  const std::string& action, const std::string& subject,
                  const std::string& decision, const std::string& detail) {
  db_.exec("INSERT INTO audit (tenant, actor, action, subject, decision, detail)"
           " VALUES ($1, $2, $3, $4, $5, $6)",
           {tenant, actor, action, subject, decision, detail});
}

} // namespace parley::storage
