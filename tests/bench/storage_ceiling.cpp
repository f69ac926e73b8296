// storage: the storage ceiling. The same event rows parley stores for the
// same webhooks, inserted by the same code in batches of the size parley's
// group commit reached, on one connection (as parley's event writer), into
// the same embedded PostgreSQL, with nothing else running.
#include "bench.hpp"

#include "actors/channels/webhook_listener.hpp"
#include "protocol/meta_webhook.hpp"
#include "storage/embedded_postgres.hpp"
#include "storage/store.hpp"

#include <iostream>

namespace bench {

int storage_ceiling(const options& opt) {
  auto data_dir = option(opt, "data-dir", "");
  auto events = std::stoull(option(opt, "events", "20000"));
  auto batch = std::max<size_t>(1, std::stoull(option(opt, "batch", "8")));
  uint64_t first_id = std::stoull(option(opt, "first-id", "900000000"));
  auto pnid = option(opt, "pnid", "1122334455667");

  parley::config cfg;
  parley::tenant_config tenant;
  tenant.id = "bench";
  tenant.phone_number_id = pnid;
  cfg.tenants->put(tenant, /*from_file=*/true);

  parley::storage::embedded_postgres pg(data_dir);
  parley::storage::store store(pg.conninfo());
  // Built before the clock starts: parley builds its rows on the HTTP
  // threads, outside the writer.
  std::vector<std::vector<parley::storage::event_row>> batches;
  for (uint64_t n = 0; n < events; n += batch) {
    std::vector<parley::storage::event_row> rows;
    for (uint64_t k = n; k < std::min<uint64_t>(events, n + batch); ++k) {
      auto parsed = parley::meta::parse_webhook(
        webhook(first_id + k, pnid, std::to_string(31620000000 + k % 10000)));
      auto more = parley::meta_event_rows(cfg, parsed.items);
      rows.insert(rows.end(), more.begin(), more.end());
    }
    batches.push_back(std::move(rows));
  }
  std::vector<double> commits;
  auto start = clock_type::now();
  for (auto& rows : batches) {
    auto t = clock_type::now();
    store.insert_events(rows);
    commits.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t).count());
  }
  double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  // Nobody answers these: done, so that the next parley on this data
  // directory does not recover them at its start (the last step's figures).
  parley::storage::connection db(pg.conninfo());
  db.exec("UPDATE events SET state = 'done', done_at = now(), reason = 'storage ceiling'"
          " WHERE tenant = 'bench' AND state = 'pending'");
  nlohmann::json out = {{"label", "storage"},
                        {"events", events},
                        {"batch", batch},
                        {"seconds", elapsed},
                        {"per_second", static_cast<double>(events) / elapsed},
                        {"commits_per_second", static_cast<double>(batches.size()) / elapsed}};
  summarize(out, "commit_", std::move(commits));
  std::cout << out.dump() << std::endl;
  return 0;
}

} // namespace bench
