#include "storage/pg.hpp"

#include "protocol/json_text.hpp"

#include <libpq-fe.h>

namespace parley::storage {

void result::clear(pg_result* r) { PQclear(r); }

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
  if (!ok()) {
    // A connection that went away is re-established before the statement;
    // within a transaction the caller sees the failure and retries it whole.
    reset();
  }
  // libpq reads parameters as C strings and PostgreSQL text cannot hold NUL:
  // a NUL becomes U+FFFD rather than silently cutting the value short.
  std::vector<std::string> cleaned;
  cleaned.reserve(params.size());
  std::vector<const char*> values;
  values.reserve(params.size());
  for (auto& p : params) {
    if (p && p->find('\0') != std::string::npos) {
      values.push_back(cleaned.emplace_back(storable_text(*p)).c_str());
    } else {
      values.push_back(p ? p->c_str() : nullptr);
    }
  }
  auto nparams = static_cast<int>(values.size());
  auto* res = params.empty()
                ? PQexecParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr,
                               nullptr, 0)
                : PQexecPrepared(conn_, prepared(sql).c_str(), nparams,
                                 values.data(), nullptr, nullptr, 0);
  result r(res);
  auto status = PQresultStatus(res);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return r;
  fail(res);
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

transaction::transaction(connection& c) : conn_(c) { conn_.exec("BEGIN"); }

transaction::~transaction() {
  if (!done_ && conn_.ok()) {
    try {
      conn_.exec("ROLLBACK");
    } catch (...) {
      // The connection is gone; the server rolls back on its own.
    }
  }
}

void transaction::commit() {
  conn_.exec("COMMIT");
  done_ = true;
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
