#pragma once

// The dashboard's files, embedded at build time (actors/app/dashboard/).

#include <string>
#include <vector>

namespace parley {

struct dashboard_file {
  const char* name;  ///< e.g. "index.html"
  const char* content_type;
  const char* text;
};

const std::vector<dashboard_file>& dashboard_files();

} // namespace parley
