#pragma once

// Reads a tenant's `business` block strictly (config_reader): every key
// known, every value checked, every problem named by its path.

#include "protocol/business.hpp"
#include "protocol/config_reader.hpp"

namespace parley {

/// `language`: the tenant's, the default of its templates' language.
void read_business(object_reader& r, business_config& b, const std::string& language,
                   const env_lookup& env);

/// A calendar block {provider, calendar_id | url, username, password_env};
/// the provider must be one of `providers`.
void read_calendar(object_reader& r, calendar_source& cal, const env_lookup& env,
                   const std::vector<std::string>& providers);

/// A template block {name, language}; the language defaults to `language`.
void read_template(object_reader& r, template_ref& out, const std::string& language);

/// "09:00-18:00" as a span; false when it is not one (or ends before it starts).
bool parse_span(const std::string& text, opening_span& out);

} // namespace parley
