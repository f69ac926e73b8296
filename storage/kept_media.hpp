#pragma once

// Media kept after use (`keep_media`): one file per message under
// <data_dir>/media/<tenant>/<local date>/, readable by parley's user only.

#include <string>

namespace parley::storage {

/// Writes `bytes` as `root`/`tenant`/`date`/`name` (the directories made
/// as needed, mode 0700; the file 0600, written under a temporary name and
/// renamed, so a crash leaves no half file). Returns the path; throws
/// std::runtime_error naming the path and the reason when it cannot.
std::string keep_media_file(const std::string& root, const std::string& tenant,
                            const std::string& date, const std::string& name,
                            const std::string& bytes);

} // namespace parley::storage
