#include "actors/business/held_bookings.hpp"

#include "actors/log.hpp"

namespace parley {

std::vector<outbox_item> release_lapsed_holds(storage::store& db, const config& cfg) {
  std::vector<outbox_item> told;
  for (auto& tenant : cfg.tenants->all()) {
    auto& t = *tenant;
    if (!t.business.enabled || !t.business.approve_bookings)
      continue;
    auto rows = db.release_expired_holds(t.id, t.business.name, t.timezone, t.language);
    if (!rows.empty())
      log::info(std::to_string(rows.size()) + " held booking(s) of " + t.id
                + " lapsed undecided: cancelled, customers told");
    told.insert(told.end(), rows.begin(), rows.end());
  }
  return told;
}

} // namespace parley
