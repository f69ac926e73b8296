#pragma once

// Text and JSON as PostgreSQL will store them: text cannot hold NUL (libpq
// would cut the value short) and jsonb refuses the \u0000 escape. One such
// webhook would otherwise fail its whole group commit, on every retry.

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace parley {

/// Compact JSON with invalid UTF-8 replaced and every \u0000 escape turned
/// into \ufffd (the replacement character).
std::string storable_json(const nlohmann::json& j);

/// The text with every NUL byte replaced by U+FFFD.
std::string storable_text(std::string s);

} // namespace parley
