// The asynchronous connection's work, against a real PostgreSQL (the embedded
// cluster in a temporary directory). The completions' group commit: a batch
// is one transaction, a bad completion fails alone, a repeat writes nothing,
// and a lost or hanging server fails the batch in flight and is reconnected.
// The senders' steps: outcomes recorded, only pending rows marked in flight.
#define CAF_SUITE group_commit
#include <caf/test/unit_test.hpp>

#include "pg_cluster.hpp"

#include "net/event_loop.hpp"
#include "storage/group_commit.hpp"
#include "storage/outbox_async.hpp"
#include "storage/store.hpp"

#include <algorithm>
#include <future>

using namespace parley;
using namespace parley::storage;

namespace {

struct fixture {
  fixture() : conninfo(testing::shared_pg_cluster().pg->conninfo()), db(conninfo) {}

  /// A stored, unanswered message from `sender`; its event id.
  int64_t message(const std::string& sender, const std::string& text,
                  const std::string& tenant = "shop", const std::string& chat = "") {
    event_row row;
    row.provider = "meta";
    row.external_id = "wamid." + sender + "." + std::to_string(++made);
    row.kind = "message";
    row.tenant = tenant;
    row.chat = chat.empty() ? sender : chat;
    row.sender = sender;
    row.message_id = row.external_id;
    row.msg_type = "text";
    row.body = text;
    row.payload = "{}";
    store s(conninfo);
    return s.insert_events({row}).at(0).id;
  }

  completion_job answer(int64_t event, const std::string& sender, const std::string& reply) {
    completion c;
    c.message.event_id = event;
    c.message.provider = "meta";
    c.message.tenant = "shop";
    c.message.chat = sender;
    c.message.sender = sender;
    c.message.text = "hello";
    c.path = answer_path::fallback;
    c.reply = reply;
    return {c, "meta"};
  }

  std::vector<completion_outcome> commit(async_connection& conn, std::vector<completion_job> jobs) {
    std::promise<std::vector<completion_outcome>> done;
    auto got = done.get_future();
    complete_together(conn, std::move(jobs),
                      [&done](std::vector<completion_outcome> outs) { done.set_value(std::move(outs)); });
    return got.get();
  }

  int64_t count(const std::string& sql) { return db.exec(sql).int64(0, 0); }

  std::string conninfo;
  connection db;
  int made = 0;
  net::event_loop loop;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(group_commit_tests, fixture)

CAF_TEST(completions of many sessions commit in one transaction) {
  async_connection conn(loop.context(), conninfo);
  std::vector<completion_job> jobs;
  std::vector<int64_t> events;
  for (int i = 0; i < 5; ++i) {
    auto sender = "3161000000" + std::to_string(i);
    events.push_back(message(sender, "hi " + std::to_string(i)));
    jobs.push_back(answer(events.back(), sender, "answer " + std::to_string(i)));
  }
  auto outs = commit(conn, std::move(jobs));
  CAF_REQUIRE_EQUAL(outs.size(), 5u);
  for (size_t i = 0; i < outs.size(); ++i) {
    CAF_CHECK_EQUAL(outs[i].error, "");
    CAF_CHECK(outs[i].result.applied);
    CAF_REQUIRE_EQUAL(outs[i].result.outbox.size(), 1u);
    CAF_CHECK(outs[i].result.outbox[0].id > 0);
    CAF_CHECK_EQUAL(outs[i].result.outbox[0].body, "answer " + std::to_string(i));
  }
  CAF_CHECK_EQUAL(conn.commits(), 1u);
  auto list = bigint_array(events);
  // One transaction wrote every run: they share its id.
  CAF_CHECK_EQUAL(db.exec("SELECT count(DISTINCT xmin::text) FROM runs WHERE event_id = ANY($1::bigint[])",
                          {list}).int64(0, 0), 1);
  CAF_CHECK_EQUAL(db.exec("SELECT count(*) FROM events WHERE state = 'done' AND id = ANY($1::bigint[])",
                          {list}).int64(0, 0), 5);
}

CAF_TEST(a completion that fails does not fail the others) {
  async_connection conn(loop.context(), conninfo);
  auto a = message("31620000001", "one");
  auto b = message("31620000002", "two");
  auto c = message("31620000003", "three");
  // Not UTF-8: PostgreSQL refuses the text, so this statement fails.
  auto outs = commit(conn, {answer(a, "31620000001", "fine"),
                            answer(b, "31620000002", std::string("bad \xc3\x28 bytes")),
                            answer(c, "31620000003", "also fine")});
  CAF_REQUIRE_EQUAL(outs.size(), 3u);
  CAF_CHECK(outs[0].result.applied);
  CAF_CHECK_NOT_EQUAL(outs[1].error, "");
  CAF_CHECK(!outs[1].result.applied);
  CAF_CHECK(outs[2].result.applied);
  CAF_CHECK_EQUAL(db.exec("SELECT state FROM events WHERE id = $1", {num(b)}).text(0, 0),
                  "pending");
  CAF_CHECK_EQUAL(db.exec("SELECT count(*) FROM events WHERE state = 'done' AND id IN ($1, $2)",
                          {num(a), num(c)}).int64(0, 0), 2);
}

CAF_TEST(a repeated completion writes nothing and hands back the unsent rows) {
  async_connection conn(loop.context(), conninfo);
  auto e = message("31630000001", "hi");
  auto first = commit(conn, {answer(e, "31630000001", "the answer")});
  CAF_REQUIRE(first.at(0).result.applied);
  auto again = commit(conn, {answer(e, "31630000001", "another answer")});
  CAF_CHECK_EQUAL(again.at(0).error, "");
  CAF_CHECK(!again.at(0).result.applied);
  CAF_REQUIRE_EQUAL(again.at(0).result.outbox.size(), 1u);
  CAF_CHECK_EQUAL(again.at(0).result.outbox[0].id, first.at(0).result.outbox[0].id);
  CAF_CHECK_EQUAL(again.at(0).result.outbox[0].body, "the answer");
  CAF_CHECK_EQUAL(db.exec("SELECT count(*) FROM outbox WHERE event_id = $1", {num(e)}).int64(0, 0), 1);
}

namespace {

/// Every kind of completion a batch may carry, for tenant `t`: a long reply
/// in parts, a group reply (quoting, mentioning, its decision), a group
/// message heard and not answered, a held draft, an approval prompt, a
/// voice note, and a fallback with the LLM's error.
std::vector<completion_job> every_kind(fixture& f, const std::string& t, int64_t approval) {
  std::vector<completion_job> jobs;
  auto add = [&](const std::string& sender, const std::string& chat, const std::string& reply) {
    auto e = f.message(sender, "text of " + sender, t, chat);
    auto j = f.answer(e, sender, reply);
    j.c.message.tenant = t;
    j.c.message.chat = chat.empty() ? sender : chat;
    j.c.message.text = "text of " + sender + " \"quoted\" {braces}, commas";
    j.c.message.sender_name = sender == "31680000001" ? "" : "Anna";
    j.c.message.received_ms = 1765000000000 + e % 1000;
    jobs.push_back(j);
    return &jobs.back();
  };
  add("31680000001", "", std::string(5000, 'x') + " " + std::string(300, 'y'));
  auto g = add("31680000002", "1203630@g.us", "in the group");
  g->c.message.context.group = true;
  g->c.message.message_id = "wamid.g.1";
  g->c.decision = {0.8, "named the bot", "rule", 0.5};
  auto silent = add("31680000003", "1203630@g.us", "");
  silent->c.message.context.group = true;
  silent->c.path = answer_path::silent;
  silent->c.decision = {0.1, "small talk", "rule", 0.5};
  auto held = add("31680000004", "", "a draft");
  held->c.hold = "draft";
  auto asks = add("31680000005", "", "May I run it?");
  asks->c.approval_id = approval;
  auto voice = add("31680000006", "", "heard you");
  voice->c.message.via = "voice note";
  auto failed = add("31680000007", "", "the plain answer");
  failed->c.error = "the model timed out";
  failed->c.trace = R"([{"round":1}])";
  auto added = add("31680000008", "", "Taak 1 toegevoegd");
  added->c.path = answer_path::command;
  added->c.task_added = "fiets plakken";
  // Two open tasks; `klaar 2` marks the second, and a `klaar 1` whose read
  // is no longer true (another title at that place) marks nothing.
  for (auto title : {"brood halen", "band oppompen"})
    f.db.exec("INSERT INTO tasks (tenant, chat, title) VALUES ($1, '31680000009', $2)",
              {t, std::string(title)});
  auto done = add("31680000009", "", "Klaar: band oppompen");
  done->c.path = answer_path::command;
  done->c.task_done = 2;
  done->c.task_done_title = "band oppompen";
  auto stale = add("31680000009", "", "Klaar: iets anders");
  stale->c.path = answer_path::command;
  stale->c.task_done = 1;
  stale->c.task_done_title = "iets anders";
  return jobs;
}

/// What tenant `t`'s completions wrote, without ids and clocks, in order.
std::string written_by(connection& db, const std::string& t) {
  std::string out;
  auto add = [&](const std::string& sql) {
    auto r = db.exec(sql, {t});
    for (int i = 0; i < r.rows(); ++i) {
      for (int col = 0; col < r.columns(); ++col)
        out += (r.is_null(i, col) ? std::string("NULL") : r.text(i, col)) + "|";
      out += "\n";
    }
    out += "--\n";
  };
  add("SELECT chat, role, content FROM messages WHERE tenant = $1 ORDER BY id");
  add("SELECT chat, channel, recipient, part, body, state, approval_id IS NOT NULL,"
      " quoted_id, quoted_text, mention FROM outbox WHERE tenant = $1 ORDER BY id");
  add("SELECT chat, sender_name, message, score, reason, threshold, method, replied"
      " FROM decisions WHERE tenant = $1 ORDER BY id");
  add("SELECT sender_hash, path, error, steps::text, transcript, storage_us"
      " FROM runs WHERE tenant = $1 ORDER BY id");
  add("SELECT chat, last_inbound_at FROM conversations WHERE tenant = $1 ORDER BY chat");
  add("SELECT chat, title, done_at IS NOT NULL FROM tasks WHERE tenant = $1 ORDER BY id");
  return out;
}

} // namespace

CAF_TEST(a batch writes what its completions write one by one) {
  async_connection conn(loop.context(), conninfo);
  auto approval = [&](const std::string& t) {
    return db.exec("INSERT INTO approvals (tenant, chat, channel, kind, argv, summary,"
                   " requested_by, expires_at) VALUES ($1, 'c', 'meta', 'shell', '{ls}', 'ls', 'me',"
                   " now() + interval '1 hour')"
                   " RETURNING id", {t}).int64(0, 0);
  };
  auto batched = every_kind(*this, "batch", approval("batch"));
  auto single = every_kind(*this, "single", approval("single"));
  for (auto* jobs : {&batched, &single})
    for (auto& j : *jobs)
      j.c.message.received_ms = 1765000000000;  // the same in both tenants
  auto commits = conn.commits();
  auto outs = commit(conn, batched);
  CAF_CHECK_EQUAL(conn.commits(), commits + 1);
  for (auto& j : single)
    CAF_REQUIRE_EQUAL(commit(conn, {j}).at(0).error, "");
  CAF_REQUIRE_EQUAL(outs.size(), batched.size());
  for (auto& o : outs) {
    CAF_CHECK_EQUAL(o.error, "");
    CAF_CHECK(o.result.applied);
  }
  // The long reply went in parts, each handed to the sender with its id;
  // the silent message and the held draft hand over nothing.
  CAF_CHECK(outs[0].result.outbox.size() >= 2u);
  CAF_CHECK_EQUAL(outs[1].result.outbox.at(0).quoted_id, "wamid.g.1");
  CAF_CHECK(outs[2].result.outbox.empty());
  CAF_CHECK(outs[3].result.outbox.empty());
  CAF_CHECK(outs[4].result.outbox.back().approval_id > 0);
  for (auto& o : outs)
    for (auto& row : o.result.outbox)
      CAF_CHECK_EQUAL(db.exec("SELECT body FROM outbox WHERE id = $1", {num(row.id)}).text(0, 0),
                      row.body);
  auto in_batch = written_by(db, "batch");
  CAF_CHECK_EQUAL(in_batch, written_by(db, "single"));
  CAF_MESSAGE(std::count(in_batch.begin(), in_batch.end(), '\n') << " rows and separators alike");
  CAF_CHECK(in_batch.find("draft") != std::string::npos);
  CAF_CHECK(in_batch.find("31680000008|fiets plakken|f|") != std::string::npos);
  CAF_CHECK(in_batch.find("31680000009|brood halen|f|") != std::string::npos);
  CAF_CHECK(in_batch.find("31680000009|band oppompen|t|") != std::string::npos);
  CAF_CHECK(in_batch.find("the model timed out") != std::string::npos);
}

CAF_TEST(a task command completed twice in one batch claims its event and adds its task once) {
  async_connection conn(loop.context(), conninfo);
  auto e = message("31690000001", "hi");
  auto other = message("31690000002", "hello");
  auto task = [&](completion_job j) {
    j.c.path = answer_path::command;
    j.c.task_added = "once only";
    return j;
  };
  auto outs = commit(conn, {task(answer(e, "31690000001", "first try")),
                            answer(other, "31690000002", "the other"),
                            task(answer(e, "31690000001", "second try"))});
  CAF_REQUIRE_EQUAL(outs.size(), 3u);
  CAF_CHECK_EQUAL(outs[0].error, "");
  CAF_CHECK_EQUAL(outs[2].error, "");
  CAF_CHECK(outs[0].result.applied != outs[2].result.applied);
  CAF_REQUIRE_EQUAL(outs[0].result.outbox.size(), 1u);
  CAF_REQUIRE_EQUAL(outs[2].result.outbox.size(), 1u);
  CAF_CHECK_EQUAL(outs[0].result.outbox[0].id, outs[2].result.outbox[0].id);
  CAF_CHECK(outs[1].result.applied);
  CAF_CHECK_EQUAL(db.exec("SELECT count(*) FROM outbox WHERE event_id = $1", {num(e)}).int64(0, 0), 1);
  CAF_CHECK_EQUAL(db.exec("SELECT count(*) FROM messages WHERE event_id = $1", {num(e)}).int64(0, 0), 2);
  CAF_CHECK_EQUAL(db.exec("SELECT count(*) FROM tasks WHERE title = 'once only'").int64(0, 0), 1);
}

CAF_TEST(a lost connection fails what was in flight and the next batch reconnects) {
  async_connection conn(loop.context(), conninfo);
  auto e = message("31640000001", "hi");
  CAF_REQUIRE(commit(conn, {answer(message("31640000009", "warm"), "31640000009", "up")})
                .at(0).result.applied);
  db.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
          " WHERE pid <> pg_backend_pid() AND datname = current_database()");
  // Whether the loop notices the termination before or with this batch, a
  // failure says the connection was lost, and a retry reconnects.
  auto outs = commit(conn, {answer(e, "31640000001", "after the loss")});
  if (!outs.at(0).error.empty()) {
    CAF_MESSAGE("lost: " << outs.at(0).error);
    outs = commit(conn, {answer(e, "31640000001", "after the loss")});
  }
  CAF_CHECK_EQUAL(outs.at(0).error, "");
  CAF_CHECK(outs.at(0).result.applied);
}

CAF_TEST(a server that does not answer fails the batch at the deadline) {
  async_connection conn(loop.context(), conninfo, std::chrono::milliseconds(300));
  auto e = message("31650000001", "hi");
  // Another transaction holds the event's row: the completion waits on it.
  db.exec("BEGIN");
  db.exec("SELECT id FROM events WHERE id = $1 FOR UPDATE", {num(e)});
  auto outs = commit(conn, {answer(e, "31650000001", "late")});
  CAF_CHECK_NOT_EQUAL(outs.at(0).error.find("did not answer"), std::string::npos);
  db.exec("ROLLBACK");
  // The hung connection was dropped, but its transaction may still commit
  // once the lock is free (the server learns of the loss only later): the
  // retry on a new connection either completes the event or finds it done
  // and hands back the one reply to send. Never two.
  outs = commit(conn, {answer(e, "31650000001", "in time")});
  CAF_CHECK_EQUAL(outs.at(0).error, "");
  CAF_REQUIRE_EQUAL(outs.at(0).result.outbox.size(), 1u);
  CAF_CHECK_EQUAL(db.exec("SELECT count(*) FROM outbox WHERE event_id = $1", {num(e)}).int64(0, 0), 1);
  CAF_CHECK_EQUAL(db.exec("SELECT state FROM events WHERE id = $1", {num(e)}).text(0, 0), "done");
}

CAF_TEST(a server that cannot be reached is an error and no hang) {
  async_connection conn(loop.context(), "host=127.0.0.1 port=1 dbname=none connect_timeout=2");
  auto outs = commit(conn, {answer(1, "31660000001", "nowhere")});
  CAF_CHECK_NOT_EQUAL(outs.at(0).error.find("cannot connect"), std::string::npos);
}

CAF_TEST(a senders step marks only pending rows in flight and records what became of them) {
  async_connection conn(loop.context(), conninfo);
  auto e1 = message("31670000001", "one");
  auto e2 = message("31670000002", "two");
  auto outs = commit(conn, {answer(e1, "31670000001", "first"), answer(e2, "31670000002", "second")});
  CAF_REQUIRE_EQUAL(outs.at(0).error, "");
  CAF_REQUIRE_EQUAL(outs.at(1).error, "");
  CAF_REQUIRE_EQUAL(outs.at(0).result.outbox.size(), 1u);
  CAF_REQUIRE_EQUAL(outs.at(1).result.outbox.size(), 1u);
  auto r1 = outs.at(0).result.outbox.at(0).id;
  auto r2 = outs.at(1).result.outbox.at(0).id;
  // The second row is withdrawn before its sender gets to it.
  db.exec("UPDATE outbox SET state = 'failed', error_title = 'withdrawn' WHERE id = $1", {num(r2)});
  auto step = [&](std::vector<outbox_outcome> outcomes, std::vector<int64_t> to_send) {
    std::promise<std::pair<std::vector<outbox_claim>, std::string>> done;
    auto got = done.get_future();
    outbox_step(conn, outcomes, to_send, [&done](std::vector<outbox_claim> c, std::string err) {
      done.set_value({std::move(c), std::move(err)});
    });
    return got.get();
  };
  auto [claims, error] = step({}, {r1, r2});
  CAF_CHECK_EQUAL(error, "");
  CAF_REQUIRE_EQUAL(claims.size(), 1u);
  CAF_CHECK_EQUAL(claims[0].id, r1);
  CAF_CHECK_EQUAL(db.exec("SELECT in_flight FROM outbox WHERE id = $1", {num(r1)}).text(0, 0), "t");
  // The recovery read sees the row still pending (in flight: in doubt).
  std::promise<std::vector<outbox_item>> read;
  auto rows = read.get_future();
  pending_outbox(conn, {"meta"}, [&read](std::vector<outbox_item> r, std::string) {
    read.set_value(std::move(r));
  });
  bool seen = false;
  for (auto& row : rows.get())
    if (row.id == r1)
      seen = row.in_doubt;
  CAF_CHECK(seen);
  auto [none, error2] = step({{r1, "sent", 1, "wamid.out.1", 0, ""}}, {});
  CAF_CHECK_EQUAL(error2, "");
  CAF_CHECK(none.empty());
  auto row = db.exec("SELECT state, in_flight, provider_message_id FROM outbox WHERE id = $1", {num(r1)});
  CAF_CHECK_EQUAL(row.text(0, 0), "sent");
  CAF_CHECK_EQUAL(row.text(0, 1), "f");
  CAF_CHECK_EQUAL(row.text(0, 2), "wamid.out.1");
}

CAF_TEST_FIXTURE_SCOPE_END()
