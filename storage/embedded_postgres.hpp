#pragma once

// The embedded default: a PostgreSQL cluster that parley manages under
// <data_dir>/pg with the distribution's binaries, reachable only through a
// Unix socket inside the data directory. initdb on first use, reused after,
// stopped when the last parley process using it exits.

#include <stdexcept>
#include <string>

namespace parley::storage {

struct cluster_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class embedded_postgres {
public:
  /// Starts (or attaches to) the cluster under `data_dir`; `progress` is
  /// told what is happening on slow steps. Throws cluster_error with a
  /// sentence a person can act on.
  embedded_postgres(const std::string& data_dir,
                    void (*progress)(const std::string&) = nullptr);
  ~embedded_postgres();
  embedded_postgres(const embedded_postgres&) = delete;
  embedded_postgres& operator=(const embedded_postgres&) = delete;

  /// libpq connection string for the parley database.
  std::string conninfo() const;

  /// Stops the cluster now if no other parley process uses it.
  void stop();

private:
  std::string data_dir_;  ///< absolute
  std::string pgdata_;    ///< <data_dir>/pg/data
  std::string socket_dir_;
  std::string bin_dir_;
  int users_fd_ = -1;     ///< shared flock while this process uses the cluster
};

/// The directory of the distribution's PostgreSQL programs (the newest
/// under /usr/lib/postgresql, or PARLEY_PG_BIN); throws cluster_error.
std::string postgres_bin_dir();

/// Takes an exclusive lock on <data_dir>/parley.lock for the lifetime of the
/// returned descriptor; throws cluster_error if another `parley serve` holds
/// it.
int lock_data_dir(const std::string& data_dir);

} // namespace parley::storage
