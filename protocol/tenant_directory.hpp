#pragma once

// The tenants in force: those of the configuration file, and those made over
// the admin API. Every reader takes the whole table as one snapshot, without
// a lock; a change builds a new table and swaps it in. So a reader never sees
// half a change, and a tenant it holds stays valid after it is changed or
// removed (the next message sees the new one).

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace parley {

struct tenant_config;
using tenant_ptr = std::shared_ptr<const tenant_config>;

class tenant_directory {
public:
  tenant_ptr by_id(const std::string& id) const;
  tenant_ptr by_phone_number_id(const std::string& phone_number_id) const;
  tenant_ptr by_instance(const std::string& instance) const;
  /// Every tenant: the file's in its order, then the API's in creation order.
  std::vector<tenant_ptr> all() const;
  bool empty() const;
  /// Whether `id` comes from the configuration file (read-only over the API).
  bool from_file(const std::string& id) const;

  /// Adds a tenant, or replaces the one with its id (keeping its place).
  void put(tenant_config tenant, bool from_file);
  /// Removes a tenant; false when there was none.
  bool erase(const std::string& id);

private:
  struct entry {
    tenant_ptr tenant;
    bool from_file = false;
  };
  using table = std::vector<entry>;
  std::shared_ptr<const table> snapshot() const;

  std::shared_ptr<const table> table_ = std::make_shared<const table>();
  std::mutex writing_;  ///< one change at a time; readers never take it
};

} // namespace parley
