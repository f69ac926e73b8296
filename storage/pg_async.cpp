#include "storage/pg_async.hpp"

#include "storage/pg_bound.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <future>
#include <unordered_map>

namespace asio = boost::asio;

namespace parley::storage {

namespace {

using clock = std::chrono::steady_clock;

struct job {
  std::vector<statement> statements;
  bool together = true;
  async_connection::done_fn done;
  std::vector<outcome> outcomes;
  size_t syncs_left = 0;
  bool failed = false;  ///< a statement failed: its transaction rolled back
  bool setup = false;   ///< the connection's own, not counted as a commit
  clock::time_point sent_at;
};

/// What the next result read from the server belongs to. The server answers
/// in the order things were sent: each statement (and each preparation) with
/// its result and then a null, each sync with a sync result.
struct owed {
  enum kind_t { prepare, query, sync } kind;
  std::shared_ptr<job> owner;
  size_t index = 0;  ///< query: which statement of its job
  std::string sql;   ///< prepare: the statement it names
  bool answered = false;
};

void fail(job& j, const std::string& why, bool lost) {
  j.outcomes.clear();
  j.outcomes.resize(j.statements.size());
  for (auto& o : j.outcomes) {
    o.error = why;
    o.connection_lost = lost;
  }
  auto done = std::move(j.done);
  j.done = nullptr;
  if (done)
    done(std::move(j.outcomes));
}

} // namespace

struct async_connection::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& ioc, std::string conninfo, std::chrono::milliseconds timeout)
    : ioc(ioc), conninfo(std::move(conninfo)), timeout(timeout) {}

  asio::io_context& ioc;
  const std::string conninfo;
  const std::chrono::milliseconds timeout;
  pg_conn* conn = nullptr;
  enum { closed, connecting, ready } state = closed;
  // Both are reset on close, on the loop's thread, so that nothing of Asio's
  // outlives the loop in this object.
  std::optional<asio::posix::stream_descriptor> socket;  ///< libpq's; never closed here
  std::optional<asio::steady_timer> timer;
  clock::time_point connect_started, timer_due;
  uint64_t generation = 0;  ///< bumped on close: older handlers do nothing
  bool reading = false, writing = false, shut = false;
  bool segment_failed = false;  ///< since the last sync
  std::deque<std::shared_ptr<job>> waiting;    ///< until connected
  std::deque<std::shared_ptr<job>> in_flight;  ///< sent, oldest first
  std::deque<owed> owing;
  std::unordered_map<std::string, std::string> prepared;  ///< sql -> name
  size_t names = 0;
  std::atomic<uint64_t> commits{0};

  void submit(std::shared_ptr<job> j) {
    if (shut)
      return fail(*j, "the database connection is closing", true);
    if (state == ready)
      return send(std::move(j));
    waiting.push_back(std::move(j));
    if (state == closed)
      connect();
  }

  // -- connecting, without blocking the loop ---------------------------------

  void connect() {
    conn = PQconnectStart(conninfo.c_str());
    if (!conn || PQstatus(conn) == CONNECTION_BAD)
      return close("cannot connect to PostgreSQL: "
                   + (conn ? trimmed(PQerrorMessage(conn)) : std::string("out of memory")));
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
    state = connecting;
    connect_started = clock::now();
    watch_time();
    step_connect(PGRES_POLLING_WRITING);
  }

  void step_connect(PostgresPollingStatusType status) {
    if (status == PGRES_POLLING_OK)
      return connected();
    if (status == PGRES_POLLING_FAILED || !watch_socket())
      return close("cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn)));
    auto wait = status == PGRES_POLLING_READING ? asio::posix::descriptor_base::wait_read
                                                : asio::posix::descriptor_base::wait_write;
    socket->async_wait(wait, [self = shared_from_this(), gen = generation](auto ec) {
      if (ec || gen != self->generation)
        return;
      self->step_connect(PQconnectPoll(self->conn));
    });
  }

  /// libpq may change sockets while it connects (another address): the
  /// descriptor is taken afresh at every step.
  bool watch_socket() {
    int fd = PQsocket(conn);
    if (fd < 0)
      return false;
    if (socket)
      socket->release();
    socket.emplace(ioc, fd);
    return true;
  }

  void connected() {
    if (PQsetnonblocking(conn, 1) != 0 || PQenterPipelineMode(conn) != 1)
      return close("cannot use PostgreSQL's pipeline mode: " + trimmed(PQerrorMessage(conn)));
    state = ready;
    prepared.clear();
    // Without this, PostgreSQL may plan the completion's large statement
    // afresh at every execution. Statements whose plan depends on the
    // tables' size are not prepared (statement::plan_each_time).
    auto setup = std::make_shared<job>();
    setup->statements = {{"SET plan_cache_mode = force_generic_plan", {}}};
    setup->setup = true;
    send(std::move(setup));
    auto jobs = std::move(waiting);
    waiting.clear();
    for (auto& j : jobs)
      send(std::move(j));
    read();
    watch_time();
  }

  // -- sending ----------------------------------------------------------------

  void send(std::shared_ptr<job> j) {
    j->sent_at = clock::now();
    j->outcomes.clear();
    j->outcomes.resize(j->statements.size());
    in_flight.push_back(j);
    for (size_t i = 0; i < j->statements.size(); ++i) {
      auto& s = j->statements[i];
      bound_params bound(s.params);
      int sent = 1;
      if (s.params.empty() || s.plan_each_time) {
        sent = PQsendQueryParams(conn, s.sql.c_str(), bound.count(), nullptr,
                                 bound.values.data(), nullptr, nullptr, 0);
      } else {
        // Prepared once per connection: planning the completion's statement
        // costs more than running it.
        auto found = prepared.find(s.sql);
        if (found == prepared.end()) {
          auto name = "parley_async_" + std::to_string(++names);
          sent = PQsendPrepare(conn, name.c_str(), s.sql.c_str(), 0, nullptr);
          owing.push_back({owed::prepare, j, i, s.sql});
          found = prepared.emplace(s.sql, std::move(name)).first;
        }
        sent = sent && PQsendQueryPrepared(conn, found->second.c_str(), bound.count(),
                                           bound.values.data(), nullptr, nullptr, 0);
      }
      owing.push_back({owed::query, j, i, {}});
      if (!j->together && sent)
        sent = sync(j);
      if (!sent)
        return close("the connection to PostgreSQL broke: " + trimmed(PQerrorMessage(conn)));
    }
    if (j->together && !sync(j))
      return close("the connection to PostgreSQL broke: " + trimmed(PQerrorMessage(conn)));
    flush();
    watch_time();
  }

  /// Ends a transaction: the server commits what came since the last sync.
  bool sync(const std::shared_ptr<job>& j) {
    owing.push_back({owed::sync, j, 0, {}});
    ++j->syncs_left;
    return PQpipelineSync(conn) == 1;
  }

  void flush() {
    if (state != ready || writing)
      return;
    int r = PQflush(conn);
    if (r < 0)
      return close("the connection to PostgreSQL broke: " + trimmed(PQerrorMessage(conn)));
    if (r == 0)
      return;
    writing = true;  // the socket is full: go on when it takes more
    socket->async_wait(asio::posix::descriptor_base::wait_write,
                       [self = shared_from_this(), gen = generation](auto ec) {
                         if (ec || gen != self->generation)
                           return;
                         self->writing = false;
                         self->flush();
                       });
  }

  // -- reading ----------------------------------------------------------------

  /// Always armed while connected, so that a server that goes away is
  /// noticed even when nothing is owed.
  void read() {
    if (state != ready || reading)
      return;
    reading = true;
    socket->async_wait(asio::posix::descriptor_base::wait_read,
                       [self = shared_from_this(), gen = generation](auto ec) {
                         if (ec || gen != self->generation)
                           return;
                         self->reading = false;
                         self->readable();
                       });
  }

  void readable() {
    if (!PQconsumeInput(conn) || PQstatus(conn) == CONNECTION_BAD)
      return close("the connection to PostgreSQL broke: " + trimmed(PQerrorMessage(conn)));
    while (!owing.empty() && !PQisBusy(conn)) {
      take(PQgetResult(conn));
      if (state != ready)
        return;
    }
    read();
  }

  void take(pg_result* res) {
    auto& next = owing.front();
    if (next.kind == owed::sync) {
      auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
      if (res)
        PQclear(res);
      if (status != PGRES_PIPELINE_SYNC)
        return close("PostgreSQL answered out of order");
      auto j = next.owner;
      owing.pop_front();
      if (!segment_failed && !j->setup)
        ++commits;
      segment_failed = false;
      if (--j->syncs_left == 0)
        finished(j);
      return;
    }
    if (!res) {  // the end of this statement's results
      bool answered = next.answered;
      owing.pop_front();
      if (!answered)
        close("PostgreSQL answered out of order");
      return;
    }
    if (next.answered) {  // a statement answers once; anything more is dropped
      PQclear(res);
      return;
    }
    next.answered = true;
    if (next.kind == owed::prepare) {
      if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        prepared.erase(next.sql);  // prepared again on its next use
        segment_failed = true;
      }
      PQclear(res);
      return;
    }
    auto& j = *next.owner;
    auto& o = j.outcomes[next.index];
    if (succeeded(res)) {
      o.rows.emplace(res);
      return;
    }
    o.error = PQresultStatus(res) == PGRES_PIPELINE_ABORTED
                ? "not run: another statement of its transaction failed"
                : trimmed(PQresultErrorMessage(res));
    PQclear(res);
    j.failed = segment_failed = true;
  }

  void finished(const std::shared_ptr<job>& j) {
    in_flight.erase(std::remove(in_flight.begin(), in_flight.end(), j), in_flight.end());
    watch_time();
    if (j->together && j->failed && j->statements.size() > 1) {
      // One statement spoilt the transaction for all: each again, alone.
      auto again = std::make_shared<job>();
      again->statements = std::move(j->statements);
      again->together = false;
      again->done = std::move(j->done);
      return submit(std::move(again));
    }
    auto done = std::move(j->done);
    if (done)
      done(std::move(j->outcomes));
  }

  // -- deadlines and closing --------------------------------------------------

  void watch_time() {
    clock::time_point due;
    if (state == connecting)
      due = connect_started + timeout;
    else if (state == ready && !in_flight.empty())
      due = in_flight.front()->sent_at + timeout;
    else
      return;
    if (timer && timer_due == due)
      return;
    if (!timer)
      timer.emplace(ioc);
    timer_due = due;
    timer->expires_at(due);
    timer->async_wait([self = shared_from_this(), gen = generation, due](auto ec) {
      if (ec || gen != self->generation || self->timer_due != due)
        return;
      self->timer_due = {};
      bool overdue = self->state == connecting
                       ? clock::now() >= self->connect_started + self->timeout
                       : !self->in_flight.empty()
                           && clock::now() >= self->in_flight.front()->sent_at + self->timeout;
      if (overdue)
        return self->close("PostgreSQL did not answer within "
                           + std::to_string(self->timeout.count()) + " ms");
      self->watch_time();
    });
  }

  /// Drops the connection and fails everything sent or waiting: a commit
  /// that was under way may have happened, which the callers' statements
  /// tolerate (they are guarded by the state they change).
  void close(const std::string& why) {
    ++generation;
    reading = writing = false;
    if (socket) {
      socket->release();  // libpq's descriptor: PQfinish closes it
      socket.reset();
    }
    timer.reset();
    timer_due = {};
    if (conn) {
      PQfinish(conn);
      conn = nullptr;
    }
    state = closed;
    owing.clear();
    prepared.clear();
    segment_failed = false;
    auto jobs = std::move(in_flight);
    in_flight.clear();
    for (auto& j : waiting)
      jobs.push_back(std::move(j));
    waiting.clear();
    for (auto& j : jobs)
      fail(*j, why, true);
  }
};

async_connection::async_connection(asio::io_context& ioc, std::string conninfo,
                                   std::chrono::milliseconds timeout)
  : impl_(std::make_shared<impl>(ioc, std::move(conninfo), timeout)) {}

async_connection::~async_connection() {
  auto closed = std::make_shared<std::promise<void>>();
  auto done = closed->get_future();
  asio::post(impl_->ioc, [self = impl_, closed] {
    self->shut = true;
    self->close("the database connection is closing");
    closed->set_value();
  });
  // The loop outlives this object; should it be stopped, give up waiting.
  done.wait_for(std::chrono::seconds(5));
}

void async_connection::run_together(std::vector<statement> statements, done_fn done) {
  auto j = std::make_shared<job>();
  j->statements = std::move(statements);
  j->done = std::move(done);
  asio::post(impl_->ioc, [self = impl_, j] { self->submit(j); });
}

void async_connection::run_each(std::vector<statement> statements, done_fn done) {
  auto j = std::make_shared<job>();
  j->statements = std::move(statements);
  j->together = false;
  j->done = std::move(done);
  asio::post(impl_->ioc, [self = impl_, j] { self->submit(j); });
}

uint64_t async_connection::commits() const { return impl_->commits.load(); }

} // namespace parley::storage
