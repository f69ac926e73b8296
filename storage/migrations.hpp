#pragma once

#include <string>
#include <vector>

namespace parley::storage {

class connection;

struct migration {
  int version;
  const char* name;
  const char* sql;
};

/// Every migration in storage/migrations/, ordered by version (generated).
const std::vector<migration>& migrations();

/// Applies the migrations this database has not seen, each in its own
/// transaction, under an advisory lock so that concurrent nodes do not race.
/// Returns the names of the migrations applied.
std::vector<std::string> migrate(connection& db);

} // namespace parley::storage
