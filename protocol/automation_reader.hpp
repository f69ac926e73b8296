#pragma once

// Reads hooks, workflows, schedules and the context hub's folder from the
// configuration, strictly: an unknown step kind, a missing field, a
// workflow that does not exist, a cron expression or time zone that is
// wrong is a problem naming its key.

#include "protocol/config_reader.hpp"

namespace parley {

/// Reads the top-level automation keys of `r` into `c.automation`; the
/// tenants must be read already (a workflow names its tenant).
void read_automation(object_reader& r, config& c, const env_lookup& env);

} // namespace parley
