#include "storage/pg.hpp"
#include "storage/pg_bound.hpp"

#include <libpq-fe.h>

#include <optional>

namespace parley::storage {

void result::clear(pg_result* r) { PQclear(r); }

int result::columns() const { return PQnfields(res_.get()); }

int result::rows() const { return PQntuples(res_.get()); }

bool result::is_null(int row, int col) const {
  return PQgetisnull(res_.get(), row, col) != 0;
}

std::string result::text(int row, int col) const {
  return std::string(PQgetvalue(res_.get(), row, col),
                     PQgetlength(res_.get(), row, col));
}

int64_t result::int64(int row, int col) const {
  return is_null(row, col) ? 0 : std::stoll(text(row, col));
}

connection::connection(std::string conninfo) : conninfo_(std::move(conninfo)) {
  reset();
}

connection::~connection() {
  if (conn_)
    PQfinish(conn_);
}

bool connection::ok() const {
  return conn_ && PQstatus(conn_) == CONNECTION_OK;
}

void connection::reset() {
  statements_.clear();  // prepared statements live and die with the session
  if (conn_)
    PQfinish(conn_);
  conn_ = PQconnectdb(conninfo_.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn_);
    while (!msg.empty() && msg.back() == '\n')
      msg.pop_back();
    throw pg_error("cannot connect to PostgreSQL: " + msg, true);
  }
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
}


result connection::exec(const std::string& sql,
                        const std::vector<param>& params) {
  return exec(statement{sql, params});
}

result connection::exec(const statement& s) {
  if (!ok()) {
    // A connection that went away is re-established before the statement;
    // within a transaction the caller sees the failure and retries it whole.
    reset();
  }
  bound_params bound(s.params);
  auto* res = s.params.empty() || s.plan_each_time
                ? PQexecParams(conn_, s.sql.c_str(), bound.count(), nullptr,
                               bound.values.data(), nullptr, nullptr, 0)
                : PQexecPrepared(conn_, prepared(s.sql).c_str(), bound.count(),
                                 bound.values.data(), nullptr, nullptr, 0);
  result r(res);
  if (!succeeded(res))
    fail(res);
  return r;
}

std::vector<result> connection::exec_all(const std::vector<statement>& statements) {
  if (!ok())
    reset();
  // Preparing is its own round trip, once per connection and statement.
  std::vector<const std::string*> names;
  for (auto& s : statements)
    names.push_back(s.params.empty() || s.plan_each_time ? nullptr : &prepared(s.sql));
  // A pipeline cut short leaves the connection in pipeline mode with results
  // pending: it is dropped, and the next statement reconnects.
  auto abandon = [this] {
    std::string msg = PQerrorMessage(conn_);
    while (!msg.empty() && msg.back() == '\n')
      msg.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    statements_.clear();
    throw pg_error("the connection to PostgreSQL broke: " + msg, true);
  };
  if (PQenterPipelineMode(conn_) != 1)
    abandon();
  for (size_t i = 0; i < statements.size(); ++i) {
    auto& s = statements[i];
    bound_params bound(s.params);
    int sent = !names[i]
                 ? PQsendQueryParams(conn_, s.sql.c_str(), bound.count(), nullptr,
                                     bound.values.data(), nullptr, nullptr, 0)
                 : PQsendQueryPrepared(conn_, names[i]->c_str(), bound.count(),
                                       bound.values.data(), nullptr, nullptr, 0);
    if (sent != 1)
      abandon();
  }
  if (PQpipelineSync(conn_) != 1)
    abandon();
  // Each statement's result is followed by a null; then comes the sync.
  std::vector<result> out;
  std::optional<size_t> failed;
  for (size_t i = 0; i < statements.size(); ++i) {
    auto* res = PQgetResult(conn_);
    if (!res)
      abandon();
    if (!succeeded(res) && !failed)
      failed = i;
    out.emplace_back(res);
    while (auto* rest = PQgetResult(conn_))
      PQclear(rest);
  }
  result sync(PQgetResult(conn_));
  if (!sync.raw() || PQresultStatus(sync.raw()) != PGRES_PIPELINE_SYNC)
    abandon();
  PQexitPipelineMode(conn_);
  if (failed)
    fail(out[*failed].raw());
  return out;
}

const std::string& connection::prepared(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end())
    return found->second;
  auto name = "parley_" + std::to_string(statements_.size() + 1);
  result r(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
  if (PQresultStatus(r.raw()) != PGRES_COMMAND_OK)
    fail(r.raw());
  return statements_.emplace(sql, std::move(name)).first->second;
}

void connection::fail(pg_result* res) {
  std::string msg = res ? PQresultErrorMessage(res) : "";
  if (msg.empty())
    msg = PQerrorMessage(conn_);
  while (!msg.empty() && msg.back() == '\n')
    msg.pop_back();
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  bool lost = PQstatus(conn_) != CONNECTION_OK
              || (state && std::string(state).rfind("08", 0) == 0)
              || (state && std::string(state).rfind("57P", 0) == 0);
  throw pg_error(msg, lost, state ? state : "");
}

void connection::exec_script(const std::string& sql) {
  if (!ok())
    reset();
  result r(PQexec(conn_, sql.c_str()));
  auto status = PQresultStatus(r.raw());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw pg_error(PQerrorMessage(conn_), PQstatus(conn_) != CONNECTION_OK);
}

result transaction::exec(const std::string& sql, const std::vector<param>& params) {
  if (begun_)
    return conn_.exec(sql, params);
  return std::move(exec_all({{sql, params}}).front());
}

std::vector<result> transaction::exec_all(std::vector<statement> statements) {
  bool begin = !begun_;
  if (begin)
    statements.insert(statements.begin(), {"BEGIN", {}});
  begun_ = true;  // from here a failure needs a ROLLBACK
  auto results = conn_.exec_all(statements);
  if (begin)
    results.erase(results.begin());
  return results;
}

std::vector<result> transaction::commit(std::vector<statement> last) {
  last.push_back({"COMMIT", {}});
  auto results = exec_all(std::move(last));
  done_ = true;
  results.pop_back();
  return results;
}

transaction::~transaction() {
  if (begun_ && !done_ && conn_.ok()) {
    try {
      conn_.exec("ROLLBACK");
    } catch (...) {
      // The connection is gone; the server rolls back on its own.
    }
  }
}

bool server_answers(const std::string& conninfo) {
  auto r = PQping(conninfo.c_str());
  return r == PQPING_OK || r == PQPING_REJECT;
}

std::string text_array(const std::vector<std::string>& xs) {
  std::string out = "{";
  for (auto& x : xs) {
    if (out.size() > 1)
      out += ',';
    out += '"';
    for (char c : x) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string bigint_array(const std::vector<int64_t>& xs) {
  std::string out = "{";
  for (auto x : xs)
    out += (out.size() > 1 ? "," : "") + std::to_string(x);
  return out + "}";
}

std::vector<std::string> result::text_array(int row, int col) const {
  // PostgreSQL's text form of a one-dimensional text[]: {a,"b c","d\"e"}.
  std::vector<std::string> out;
  auto s = text(row, col);
  if (s.size() < 2 || s.front() != '{')
    return out;
  std::string word;
  bool quoted = false, any = false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '\\' && i + 2 < s.size())
        word += s[++i];
      else if (c == '"')
        quoted = false;
      else
        word += c;
    } else if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      out.push_back(std::move(word));
      word.clear();
      any = false;
    } else {
      word += c;
      any = true;
    }
  }
  if (any || !word.empty() || !out.empty())
    out.push_back(std::move(word));
  return out;
}

} // namespace parley::storage
