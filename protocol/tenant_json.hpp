#pragma once

// A tenant's effective configuration as JSON, in the shape of the file (the
// defaults filled in), for GET /api/tenants. Secrets appear only as the names
// of their environment variables (`access_token_env`, `password_env`, ...);
// what this writes reads back as the same tenant.

#include "protocol/config.hpp"

#include <nlohmann/json.hpp>

namespace parley {

nlohmann::json tenant_json(const tenant_config& t);

} // namespace parley
