#include "net/connection_limits.hpp"

namespace parley::net {

connection_limits::id connection_limits::admit(const std::string& address,
                                               close_fn close) {
  close_fn evict;
  id c = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // find, not []: an address refused here must not leave an entry behind.
    if (auto a = by_address_.find(address); a != by_address_.end() && a->second >= per_address_) {
      ++counters_.refused_per_address;
      return 0;
    }
    if (open_.size() >= max_) {
      if (idle_.empty()) {
        ++counters_.refused_at_cap;
        return 0;
      }
      // The longest idle makes room; it counts as gone from now on, so that
      // two arrivals never take the same place.
      auto victim = open_.find(idle_.front());
      idle_.pop_front();
      evict = std::move(victim->second.close);
      if (--by_address_[victim->second.address] == 0)
        by_address_.erase(victim->second.address);
      open_.erase(victim);
      ++counters_.idle_evicted;
    }
    c = next_++;
    ++by_address_[address];
    open_.emplace(c, entry{address, std::move(close), false, {}});
    counters_.open = open_.size();
  }
  if (evict)
    evict();  // outside the lock: it posts to the victim's strand
  return c;
}

void connection_limits::idle(id c) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto i = open_.find(c);
  if (i == open_.end() || i->second.idle)
    return;
  i->second.idle = true;
  i->second.place = idle_.insert(idle_.end(), c);
}

bool connection_limits::busy(id c) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto i = open_.find(c);
  if (i == open_.end())
    return false;
  if (i->second.idle) {
    i->second.idle = false;
    idle_.erase(i->second.place);
  }
  return true;
}

void connection_limits::release(id c) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto i = open_.find(c);
  if (i == open_.end())
    return;  // closed to make room: already forgotten
  if (i->second.idle)
    idle_.erase(i->second.place);
  if (--by_address_[i->second.address] == 0)
    by_address_.erase(i->second.address);
  open_.erase(i);
  counters_.open = open_.size();
}

} // namespace parley::net
