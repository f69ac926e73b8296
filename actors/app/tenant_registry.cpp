#include "actors/app/tenant_registry.hpp"

#include "actors/log.hpp"
#include "protocol/tenant_json.hpp"
#include "storage/store.hpp"

#include <nlohmann/json.hpp>

namespace parley {

using nlohmann::json;

namespace {

tenant_change refused(std::string code, std::string detail) {
  tenant_change c;
  c.refused = std::move(code);
  c.detail = std::move(detail);
  return c;
}

tenant_change invalid(const config_error& e) {
  auto c = refused("invalid", e.problems.size() == 1
                                ? e.problems.front()
                                : std::to_string(e.problems.size())
                                    + " problems: " + e.problems.front() + "; ...");
  c.problems = e.problems;
  return c;
}

tenant_change in_force(const tenant_config& t) {
  tenant_change c;
  c.tenant = tenant_json(t).dump();
  return c;
}

tenant_change managed_by_file(const std::string& id) {
  return refused("managed_by_file", "tenant '" + id + "' is set in the configuration file; "
                                    "change it there and restart parley");
}

tenant_change not_found(const std::string& id) {
  return refused("not_found", "there is no tenant '" + id + "'");
}

using self_ptr = tenant_registry_actor::stateful_pointer<tenant_registry_state>;

tenant_change create(self_ptr self, const config& cfg, const env_lookup& env,
                     const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object())
    return refused("invalid", "the body must be a JSON object: the tenant, as in the file");
  auto id = j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : "";
  if (cfg.tenants->from_file(id))
    return managed_by_file(id);
  auto taken = refused("exists", "tenant '" + id + "' exists; change it with PATCH "
                                 "/api/tenants/" + id);
  if (!id.empty() && cfg.tenants->by_id(id))
    return taken;
  tenant_config t;
  try {
    t = parse_tenant(body, cfg, env);
  } catch (const config_error& e) {
    return invalid(e);
  }
  bool stored = self->state.db->with(
    [&](storage::store& s) { return s.insert_api_tenant(t.id, j.dump()); });
  if (!stored)  // stored, but skipped at start: it still holds the id
    return taken;
  cfg.tenants->put(t, /*from_file=*/false);
  log::info("tenant " + t.id + " created over the API");
  return in_force(t);
}

tenant_change change(self_ptr self, const config& cfg, const env_lookup& env,
                     const std::string& id, const std::string& body) {
  // (A stored tenant skipped at start is not in force, but is changed here
  // all the same: PATCH is how it is fixed.)
  if (cfg.tenants->from_file(id))
    return managed_by_file(id);
  auto patch = json::parse(body, nullptr, false);
  if (!patch.is_object())
    return refused("invalid", "the body must be a JSON object: a merge patch (RFC 7386) of "
                              "the tenant, e.g. {\"business\": {\"tone\": \"warm\"}}");
  if (patch.contains("id") && patch["id"] != id)
    return refused("invalid", "id: cannot be changed (create a new tenant and delete this one)");
  auto source = self->state.db->with([&](storage::store& s) { return s.api_tenant(id); });
  if (!source)
    return not_found(id);
  auto merged = json::parse(*source);
  merged.merge_patch(patch);
  tenant_config t;
  try {
    t = parse_tenant(merged.dump(), cfg, env, id);
  } catch (const config_error& e) {
    return invalid(e);
  }
  if (!self->state.db->with(
        [&](storage::store& s) { return s.update_api_tenant(id, merged.dump()); }))
    return not_found(id);
  cfg.tenants->put(t, /*from_file=*/false);
  log::info("tenant " + id + " changed over the API");
  return in_force(t);
}

tenant_change remove(self_ptr self, const config& cfg, const std::string& id) {
  if (cfg.tenants->from_file(id))
    return managed_by_file(id);
  auto before = cfg.tenant_by_id(id);
  if (!self->state.db->with([&](storage::store& s) { return s.delete_api_tenant(id); }))
    return not_found(id);
  cfg.tenants->erase(id);
  log::info("tenant " + id + " deleted over the API");
  return before ? in_force(*before) : tenant_change{};
}

/// The database failing is the only exception a change can meet.
template <class F>
tenant_change guarded(F&& f) {
  try {
    return f();
  } catch (const storage::pg_error& e) {
    log::warn(std::string("tenant registry: storage failed: ") + e.what());
    return refused("unavailable", "the database cannot be reached; nothing was changed");
  }
}

} // namespace

tenant_registry_actor::behavior_type
tenant_registry(tenant_registry_actor::stateful_pointer<tenant_registry_state> self,
                std::shared_ptr<const config> cfg, std::string conninfo, env_lookup env) {
  self->state.db = std::make_unique<store_handle>(std::move(conninfo));
  return {
    [=](atom::put, const std::string& id, const std::string& body) {
      return guarded([&] {
        return id.empty() ? create(self, *cfg, env, body) : change(self, *cfg, env, id, body);
      });
    },
    [=](atom::remove, const std::string& id) {
      return guarded([&] { return remove(self, *cfg, id); });
    },
  };
}

void load_api_tenants(const config& cfg, const std::string& conninfo, const env_lookup& env) {
  storage::store s(conninfo);
  for (auto& [id, source] : s.api_tenants()) {
    if (cfg.tenants->from_file(id)) {
      log::warn("tenant " + id + " made over the API is skipped: the configuration file "
                "now has a tenant with that id (delete one of them)");
      continue;
    }
    try {
      cfg.tenants->put(parse_tenant(source, cfg, env, id), /*from_file=*/false);
    } catch (const config_error& e) {
      std::string text = "tenant " + id + " made over the API is skipped until it is fixed "
                         "with PATCH /api/tenants/" + id + ":";
      for (auto& p : e.problems)
        text += "\n  " + p;
      log::warn(text);
    }
  }
}

} // namespace parley
