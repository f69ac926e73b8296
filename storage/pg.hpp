#pragma once

// A small RAII layer over libpq: connections, parameterised queries only,
// and transactions. libpq's own header stays in pg.cpp.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace parley::storage {

/// A failed query or connection. `connection_lost` tells a caller that the
/// server went away (retry after reconnecting) rather than that the query was
/// wrong.
struct pg_error : std::runtime_error {
  pg_error(const std::string& what, bool lost, std::string sqlstate = {})
    : std::runtime_error(what), connection_lost(lost),
      sqlstate(std::move(sqlstate)) {}
  bool connection_lost;
  std::string sqlstate;
};

using param = std::optional<std::string>;

/// One statement of a pipeline.
struct statement {
  std::string sql;
  std::vector<param> params;
  /// Planned at each execution, from the tables as they are then, instead
  /// of prepared once per connection: for statements over sets of rows.
  /// Their plan made once on a near-empty table (a sequential scan) would
  /// otherwise serve for ever, since only an ANALYZE makes it again.
  bool plan_each_time = false;
};

/// A text[] parameter literal (`$1::text[]`), every element quoted and
/// escaped, so any string round-trips.
std::string text_array(const std::vector<std::string>& xs);

/// An integer parameter.
inline std::string num(int64_t x) { return std::to_string(x); }

/// A bigint[] parameter literal (`$1::bigint[]`).
std::string bigint_array(const std::vector<int64_t>& xs);

/// SQL for parley's steady wall clock (steady_wall_ms), passed as the
/// parameter `p` in milliseconds: what an expiry is measured on instead of
/// the server's now(), so that a step of the system clock does not move it.
inline std::string steady_now(const std::string& p) {
  return "to_timestamp(" + p + "::bigint / 1000.0)";
}

/// That clock plus the parameter `secs` seconds: a deadline.
inline std::string steady_deadline(const std::string& now, const std::string& secs) {
  return "(" + steady_now(now) + " + make_interval(secs => " + secs + "::int))";
}

class result {
public:
  explicit result(pg_result* r) : res_(r, &clear) {}
  int rows() const;
  int columns() const;
  bool is_null(int row, int col) const;
  std::string text(int row, int col) const;
  int64_t int64(int row, int col) const;
  /// A text[] column as its elements.
  std::vector<std::string> text_array(int row, int col) const;
  pg_result* raw() const { return res_.get(); }

private:
  static void clear(pg_result* r);
  std::unique_ptr<pg_result, void (*)(pg_result*)> res_;
};

/// True when a server answers at `conninfo` (even one that would refuse the
/// login): PQping, no connection is kept.
bool server_answers(const std::string& conninfo);

class connection {
public:
  /// Connects; throws pg_error with libpq's message on failure.
  explicit connection(std::string conninfo);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Runs one statement with $1..$n parameters (NULL for nullopt). A
  /// statement with parameters is prepared once per connection and reused:
  /// parsing and planning cost more than running a small INSERT.
  result exec(const std::string& sql, const std::vector<param>& params = {});
  /// The same for a statement, planned at this execution when it says so.
  result exec(const statement& s);

  /// Runs statements in one round trip (libpq's pipeline mode) and returns
  /// their results in order; throws the first failure, after which the
  /// rest did not run. Meant for a few dozen statements: all are written
  /// before any result is read.
  std::vector<result> exec_all(const std::vector<statement>& statements);

  /// Runs a script of several statements without parameters (migrations).
  void exec_script(const std::string& sql);

  /// True while the socket is healthy.
  bool ok() const;

  /// Reconnects after the server went away; throws pg_error on failure.
  void reset();

private:
  /// The prepared statement's name for `sql`, preparing it on first use.
  const std::string& prepared(const std::string& sql);
  [[noreturn]] void fail(pg_result* res);

  std::string conninfo_;
  pg_conn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> statements_;  ///< sql -> name
};

/// A transaction whose BEGIN travels with its first statement and whose
/// COMMIT can travel with its last ones; ROLLBACK in the destructor unless
/// committed.
class transaction {
public:
  explicit transaction(connection& c) : conn_(c) {}
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  result exec(const std::string& sql, const std::vector<param>& params = {});
  /// Statements in one round trip (see connection::exec_all).
  std::vector<result> exec_all(std::vector<statement> statements);
  /// `last` and COMMIT in one round trip; their results.
  std::vector<result> commit(std::vector<statement> last = {});
  connection& conn() { return conn_; }

private:
  connection& conn_;
  bool begun_ = false;
  bool done_ = false;
};

} // namespace parley::storage
