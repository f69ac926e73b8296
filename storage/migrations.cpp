#include "storage/migrations.hpp"

#include "storage/pg.hpp"

namespace parley::storage {

std::vector<std::string> migrate(connection& db) {
  std::vector<std::string> applied;
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
          " version int PRIMARY KEY, name text NOT NULL,"
          " applied_at timestamptz NOT NULL DEFAULT now())");
  for (auto& m : migrations()) {
    transaction tx(db);
    tx.exec("SELECT pg_advisory_xact_lock(7261626)"); // "parley" migrations
    auto seen = tx.exec("SELECT 1 FROM schema_migrations WHERE version = $1",
                        {std::to_string(m.version)});
    if (seen.rows() > 0)
      continue;
    tx.conn().exec_script(m.sql);
    tx.exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            {std::to_string(m.version), std::string(m.name)});
    tx.commit();
    applied.emplace_back(m.name);
  }
  return applied;
}

} // namespace parley::storage
