#pragma once

// Reads a tenant's `business` block strictly (config_reader): every key
// known, every value checked, every problem named by its path.

#include "protocol/business.hpp"
#include "protocol/config_reader.hpp"

namespace parley {

void read_business(object_reader& r, business_config& b);

/// "09:00-18:00" as a span; false when it is not one (or ends before it starts).
bool parse_span(const std::string& text, opening_span& out);

} // namespace parley
