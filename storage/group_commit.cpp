#include "storage/group_commit.hpp"

#include "storage/completion_sql.hpp"
#include "storage/outbox_rows.hpp"

#include <memory>

namespace parley::storage {

namespace {

using done_fn = std::function<void(std::vector<completion_outcome>)>;
using writes_ptr = std::shared_ptr<std::vector<completion_writes>>;

/// What a completion's statement did: wrote (its outbox ids), found its
/// event done before (no ids), or failed (an error).
struct written {
  std::optional<std::vector<std::string>> ids;
  std::string error;
};

/// The outcomes, after looking up the unsent rows of events done before.
void settle(async_connection& db, writes_ptr writes, std::vector<written> each,
            done_fn done) {
  std::vector<completion_outcome> results(each.size());
  std::vector<statement> lookups;
  std::vector<size_t> looked_up;
  for (size_t i = 0; i < each.size(); ++i) {
    if (!each[i].error.empty())
      results[i].error = each[i].error;
    else if (each[i].ids)
      results[i].result = applied(std::move((*writes)[i]), *each[i].ids);
    else {
      lookups.push_back(unsent_rows_statement((*writes)[i].row.event_id));
      looked_up.push_back(i);
    }
  }
  if (lookups.empty())
    return done(std::move(results));
  db.run_each(std::move(lookups),
              [results = std::move(results), looked_up, done](std::vector<outcome> outs) mutable {
                for (size_t k = 0; k < outs.size() && k < looked_up.size(); ++k) {
                  auto& r = results[looked_up[k]];
                  if (outs[k].rows)
                    r.result.outbox = read_outbox(*outs[k].rows);
                  else
                    r.error = outs[k].error;
                }
                done(std::move(results));
              });
}

/// Each completion in a transaction of its own (all in one round trip): one
/// that fails fails alone.
void one_by_one(async_connection& db, writes_ptr writes, done_fn done) {
  std::vector<statement> statements;
  for (auto& w : *writes)
    statements.push_back(completion_statement(w));
  db.run_each(std::move(statements), [&db, writes, done](std::vector<outcome> outs) {
    std::vector<written> each(writes->size());
    for (size_t i = 0; i < each.size(); ++i) {
      if (i >= outs.size())
        each[i].error = "no answer";
      else if (!outs[i].rows)
        each[i].error = outs[i].error;
      else
        each[i].ids = completion_ids(*outs[i].rows);
    }
    settle(db, writes, std::move(each), done);
  });
}

} // namespace

void complete_together(async_connection& db, std::vector<completion_job> jobs,
                       std::function<void(std::vector<completion_outcome>)> done) {
  auto writes = std::make_shared<std::vector<completion_writes>>();
  for (auto& j : jobs)
    writes->push_back(completion_writes_of(j.c, j.c.reply, j.channel));
  if (writes->size() == 1)
    return one_by_one(db, writes, std::move(done));
  db.run_together({completion_batch_statement(*writes)},
                  [&db, writes, done](std::vector<outcome> outs) {
                    auto& out = outs.at(0);
                    if (out.rows) {
                      std::vector<written> each;
                      for (auto& ids : batch_ids(*out.rows, writes->size()))
                        each.push_back({std::move(ids), {}});
                      return settle(db, writes, std::move(each), done);
                    }
                    // The batch may or may not have committed: every
                    // completion is retried by its session, guarded by its
                    // event.
                    if (out.connection_lost)
                      return done(std::vector<completion_outcome>(writes->size(),
                                                                  {{}, out.error}));
                    // A completion the server refused fails alone.
                    one_by_one(db, writes, done);
                  });
}

} // namespace parley::storage
