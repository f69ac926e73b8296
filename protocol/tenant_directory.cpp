#include "protocol/tenant_directory.hpp"

#include "protocol/config.hpp"

#include <algorithm>
#include <atomic>

namespace parley {

std::shared_ptr<const tenant_directory::table> tenant_directory::snapshot() const {
  return std::atomic_load(&table_);
}

tenant_ptr tenant_directory::by_id(const std::string& id) const {
  for (auto& e : *snapshot())
    if (e.tenant->id == id)
      return e.tenant;
  return nullptr;
}

tenant_ptr tenant_directory::by_phone_number_id(const std::string& phone_number_id) const {
  for (auto& e : *snapshot())
    if (!e.tenant->phone_number_id.empty() && e.tenant->phone_number_id == phone_number_id)
      return e.tenant;
  return nullptr;
}

tenant_ptr tenant_directory::by_instance(const std::string& instance) const {
  for (auto& e : *snapshot())
    if (e.tenant->channel == "evolution" && e.tenant->instance == instance)
      return e.tenant;
  return nullptr;
}

std::vector<tenant_ptr> tenant_directory::all() const {
  std::vector<tenant_ptr> out;
  for (auto& e : *snapshot())
    out.push_back(e.tenant);
  return out;
}

bool tenant_directory::empty() const { return snapshot()->empty(); }

bool tenant_directory::from_file(const std::string& id) const {
  for (auto& e : *snapshot())
    if (e.tenant->id == id)
      return e.from_file;
  return false;
}

void tenant_directory::put(tenant_config tenant, bool from_file) {
  std::lock_guard<std::mutex> guard(writing_);
  auto next = std::make_shared<table>(*snapshot());
  entry fresh{std::make_shared<const tenant_config>(std::move(tenant)), from_file};
  auto same = std::find_if(next->begin(), next->end(), [&](const entry& e) {
    return e.tenant->id == fresh.tenant->id;
  });
  if (same != next->end())
    *same = std::move(fresh);
  else
    next->push_back(std::move(fresh));
  std::atomic_store(&table_, std::shared_ptr<const table>(std::move(next)));
}

bool tenant_directory::erase(const std::string& id) {
  std::lock_guard<std::mutex> guard(writing_);
  auto next = std::make_shared<table>(*snapshot());
  auto before = next->size();
  next->erase(std::remove_if(next->begin(), next->end(),
                             [&](const entry& e) { return e.tenant->id == id; }),
              next->end());
  if (next->size() == before)
    return false;
  std::atomic_store(&table_, std::shared_ptr<const table>(std::move(next)));
  return true;
}

} // namespace parley
