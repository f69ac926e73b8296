#pragma once

// A real PostgreSQL for the unit suites that need one: the embedded cluster
// in a temporary directory, migrated, one for the whole test binary (initdb
// is the slow part) and removed at exit.

#include "storage/embedded_postgres.hpp"
#include "storage/migrations.hpp"
#include "storage/pg.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace parley::testing {

struct pg_cluster {
  pg_cluster() {
    char dir[] = "/tmp/parley-unit-pg.XXXXXX";
    data_dir = mkdtemp(dir);
    chmod(data_dir.c_str(), 0755);  // the cluster's own user must get in
    pg = std::make_unique<storage::embedded_postgres>(data_dir);
    storage::connection db(pg->conninfo());
    storage::migrate(db);
  }
  ~pg_cluster() {
    pg.reset();
    std::filesystem::remove_all(data_dir);
  }
  std::string data_dir;
  std::unique_ptr<storage::embedded_postgres> pg;
};

inline pg_cluster& shared_pg_cluster() {
  static pg_cluster c;
  return c;
}

} // namespace parley::testing
