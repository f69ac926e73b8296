// The morning brief's record (once per tenant and day) and the tasks it
// reads.

#include "storage/store.hpp"

#include "storage/outbox_rows.hpp"

#include <nlohmann/json.hpp>

namespace parley::storage {

std::vector<std::string> store::open_tasks(const std::string& tenant,
                                           const std::string& chat) {
  auto r = db_.exec("SELECT title FROM tasks WHERE tenant = $1 AND chat = $2"
                    " AND done_at IS NULL ORDER BY id",
                    {tenant, chat});
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(r.text(i, 0));
  return out;
}

bool store::claim_brief(const std::string& tenant, const std::string& date) {
  auto r = db_.exec("INSERT INTO briefs (tenant, day) VALUES ($1, $2::date)"
                    " ON CONFLICT (tenant, day) DO NOTHING RETURNING 1",
                    {tenant, date});
  if (r.rows() == 1)
    return true;
  // A row still 'composing' was claimed by a process that stopped before it
  // queued anything: nothing was sent, so it is composed again.
  r = db_.exec("SELECT state FROM briefs WHERE tenant = $1 AND day = $2::date",
               {tenant, date});
  return r.rows() == 1 && r.text(0, 0) == "composing";
}

brief_queued store::queue_brief(const brief_delivery& d) {
  brief_queued out;
  transaction tx(db_);
  // Meta allows free-form messages only within 24 hours of the person's last
  // message; the WhatsApp Web bridge and the console have no such window.
  bool in_window = true;
  if (d.channel == "meta") {
    auto w = tx.exec("SELECT EXISTS (SELECT 1 FROM conversations WHERE tenant = $1"
                     " AND chat = $2 AND last_inbound_at > now() - interval '24 hours')",
                     {d.tenant, d.recipient});
    in_window = w.text(0, 0) == "t";
  }
  std::string state = "queued", error = d.brief.error;
  if (!in_window) {
    error = "outside_24h_window";
    if (d.template_name.empty())
      state = "failed";
    else
      error += ": sent as template " + d.template_name;
  }
  auto claimed = tx.exec("UPDATE briefs SET state = $3, how = $4, body = $5,"
                         " error = NULLIF($6, ''), updated_at = now()"
                         " WHERE tenant = $1 AND day = $2::date AND state = 'composing'"
                         " RETURNING 1",
                         {d.tenant, d.date, state, d.brief.how, d.brief.text, error});
  if (claimed.rows() == 0)
    return out;  // already queued or failed: never a second brief that day
  out.applied = true;
  out.state = state;
  out.error = error;
  if (state == "queued") {
    // The template goes with the row: the sender sends it instead whenever
    // the window has closed by the time the brief goes out.
    auto row = tx.exec("INSERT INTO outbox (tenant, chat, channel, recipient, body,"
                       " template_name, template_language)"
                       " VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), NULLIF($7, ''))"
                       " RETURNING " OUTBOX_COLUMNS,
                       {d.tenant, d.chat, d.channel, d.recipient, d.brief.text,
                        d.template_name, d.template_language});
    out.outbox = read_outbox(row);
    tx.exec("UPDATE briefs SET outbox_id = $3 WHERE tenant = $1 AND day = $2::date",
            {d.tenant, d.date, std::to_string(out.outbox.front().id)});
  }
  tx.commit();
  return out;
}

outbox_item store::enqueue(const outbox_item& item) {
  auto r = db_.exec("INSERT INTO outbox (tenant, chat, channel, recipient, body,"
                    " template_name, template_language, template_params)"
                    " VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), NULLIF($7, ''),"
                    " NULLIF($8, '[]')::jsonb)"
                    " RETURNING " OUTBOX_COLUMNS,
                    {item.tenant, item.chat, item.channel, item.recipient, item.body,
                     item.template_name, item.template_language,
                     nlohmann::json(item.template_params).dump()});
  return read_outbox(r).front();
}

brief_record store::brief_of(const std::string& tenant, const std::string& date) {
  brief_record out;
  out.tenant = tenant;
  out.date = date;
  auto r = db_.exec("SELECT state, coalesce(how, ''), coalesce(body, ''),"
                    " coalesce(error, '') FROM briefs"
                    " WHERE tenant = $1 AND day = $2::date",
                    {tenant, date});
  if (r.rows() == 1) {
    out.state = r.text(0, 0);
    out.how = r.text(0, 1);
    out.body = r.text(0, 2);
    out.error = r.text(0, 3);
  }
  return out;
}

} // namespace parley::storage
