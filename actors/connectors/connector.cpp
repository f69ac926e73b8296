#include "actors/connectors/connector.hpp"

#include "actors/log.hpp"

#include <algorithm>

namespace parley {

namespace {

constexpr int64_t failure_cache_ms = 5000;

} // namespace

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void connector_board::record(const std::string& tenant, const std::string& connector,
                             const connector_report& r) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& h = health_[tenant][connector];
  if (r.ok()) {
    h.status = "ok";
    h.last_success_ms = r.fetched_ms;
    h.error.clear();
  } else {
    h.status = "failing";
    h.error = r.error;
  }
}

std::map<std::string, std::map<std::string, connector_health>>
connector_board::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return health_;
}

connector_actor connector_directory::find(const std::string& tenant,
                                          const std::string& source) const {
  auto t = by_tenant.find(tenant);
  if (t == by_tenant.end())
    return {};
  auto c = t->second.find(source);
  return c == t->second.end() ? connector_actor{} : c->second;
}

connector_actor::behavior_type
connector(connector_actor::stateful_pointer<connector_state> self,
          std::string tenant, std::string source, source_factory make,
          std::chrono::seconds cache_for, std::shared_ptr<connector_board> board) {
  self->state.read = make();
  auto cache_ms = std::chrono::duration_cast<std::chrono::milliseconds>(cache_for).count();
  // A failure is remembered briefly too: a burst of questions against a
  // failing server neither hammers it nor queues behind its timeout.
  auto lifetime = [cache_ms](const connector_report& r) -> int64_t {
    return r.ok() ? cache_ms : std::min<int64_t>(cache_ms, failure_cache_ms);
  };
  return {
    [=](atom::summary, const std::string& topic,
        const std::string& date) -> connector_report {
      auto& st = self->state;
      auto key = topic + " " + date;
      auto now = wall_ms();
      if (auto hit = st.cache.find(key);
          hit != st.cache.end() && now - hit->second.fetched_ms < lifetime(hit->second))
        return hit->second;
      auto r = st.read(topic, date);
      r.fetched_ms = now;
      if (r.connector.empty())
        r.connector = source;
      board->record(tenant, source, r);
      if (!r.ok())
        log::warn("connector " + source + " of " + tenant + ": " + r.error);
      for (auto i = st.cache.begin(); i != st.cache.end();)
        i = now - i->second.fetched_ms >= lifetime(i->second) ? st.cache.erase(i) : std::next(i);
      if (lifetime(r) > 0)
        st.cache[key] = r;
      return r;
    },
  };
}

} // namespace parley
