#include "storage/group_commit.hpp"

#include "storage/completion_sql.hpp"
#include "storage/outbox_rows.hpp"

#include <memory>

namespace parley::storage {

void complete_together(async_connection& db, std::vector<completion_job> jobs,
                       std::function<void(std::vector<completion_outcome>)> done) {
  auto writes = std::make_shared<std::vector<completion_writes>>();
  std::vector<statement> statements;
  std::vector<int64_t> events;
  for (auto& j : jobs) {
    writes->push_back(completion_statement(j.c, j.c.reply, j.channel));
    statements.push_back(writes->back().sql);
    events.push_back(j.c.message.event_id);
  }
  db.run_together(std::move(statements), [&db, writes, events, done](std::vector<outcome> outs) {
    std::vector<completion_outcome> results(outs.size());
    std::vector<statement> lookups;  // for events done before
    std::vector<size_t> looked_up;
    for (size_t i = 0; i < outs.size(); ++i) {
      if (!outs[i].rows)
        results[i].error = outs[i].error;
      else if (completion_applied(*outs[i].rows))
        results[i].result = applied(std::move((*writes)[i]), *outs[i].rows);
      else {
        lookups.push_back(unsent_rows_statement(events[i]));
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
  });
}

} // namespace parley::storage
