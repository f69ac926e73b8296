// Tenants made over the admin API, as their JSON.

#include "storage/store.hpp"

namespace parley::storage {

std::vector<std::pair<std::string, std::string>> store::api_tenants() {
  auto r = db_.exec("SELECT id, source::text FROM api_tenants ORDER BY created_at, id");
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < r.rows(); ++i)
    out.emplace_back(r.text(i, 0), r.text(i, 1));
  return out;
}

std::optional<std::string> store::api_tenant(const std::string& id) {
  auto r = db_.exec("SELECT source::text FROM api_tenants WHERE id = $1", {id});
  if (r.rows() == 0)
    return std::nullopt;
  return r.text(0, 0);
}

bool store::insert_api_tenant(const std::string& id, const std::string& source) {
  auto r = db_.exec("INSERT INTO api_tenants (id, source) VALUES ($1, $2::jsonb)"
                    " ON CONFLICT (id) DO NOTHING RETURNING id",
                    {id, source});
  return r.rows() > 0;
}

bool store::update_api_tenant(const std::string& id, const std::string& source) {
  auto r = db_.exec("UPDATE api_tenants SET source = $2::jsonb, updated_at = now()"
                    " WHERE id = $1 RETURNING id",
                    {id, source});
  return r.rows() > 0;
}

bool store::delete_api_tenant(const std::string& id) {
  auto r = db_.exec("DELETE FROM api_tenants WHERE id = $1 RETURNING id", {id});
  return r.rows() > 0;
}

} // namespace parley::storage
