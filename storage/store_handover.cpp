// Customers who said STOP, and chats handed over to a person.

#include "storage/store.hpp"

namespace parley::storage {

void store::set_opted_out(const std::string& tenant, const std::string& number, bool out) {
  db_.exec("INSERT INTO customers (tenant, number, opted_out) VALUES ($1, $2, $3::boolean)"
           " ON CONFLICT (tenant, number) DO UPDATE SET opted_out = $3::boolean,"
           " last_contact = now()",
           {tenant, number, out ? "true" : "false"});
}

bool store::opted_out(const std::string& tenant, const std::string& number) {
  auto r = db_.exec("SELECT opted_out FROM customers WHERE tenant = $1 AND number = $2",
                    {tenant, number});
  return r.rows() > 0 && r.text(0, 0) == "t";
}

bool store::pause_chat(const std::string& tenant, const std::string& chat, int64_t until_ms,
                       const std::string& reason) {
  auto r = db_.exec("WITH before AS (SELECT paused_until FROM conversations"
                    " WHERE tenant = $1 AND chat = $2)"
                    " INSERT INTO conversations (tenant, chat, paused_until, paused_reason)"
                    " VALUES ($1, $2, to_timestamp($3::bigint / 1000.0), $4)"
                    " ON CONFLICT (tenant, chat) DO UPDATE SET"
                    " paused_until = to_timestamp($3::bigint / 1000.0), paused_reason = $4"
                    " RETURNING (SELECT coalesce(bool_or(paused_until > now()), false) FROM before)",
                    {tenant, chat, std::to_string(until_ms), reason});
  return r.rows() > 0 && r.text(0, 0) != "t";
}

bool store::resume_chat(const std::string& tenant, const std::string& chat) {
  auto r = db_.exec("UPDATE conversations SET paused_until = NULL, paused_reason = ''"
                    " WHERE tenant = $1 AND chat = $2 AND paused_until > now() RETURNING 1",
                    {tenant, chat});
  return r.rows() > 0;
}

int64_t store::paused_until(const std::string& tenant, const std::string& chat) {
  auto r = db_.exec("SELECT (extract(epoch FROM paused_until) * 1000)::bigint FROM conversations"
                    " WHERE tenant = $1 AND chat = $2 AND paused_until > now()",
                    {tenant, chat});
  return r.rows() > 0 ? r.int64(0, 0) : 0;
}

} // namespace parley::storage
