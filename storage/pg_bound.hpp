#pragma once

// What the blocking and the asynchronous connection share below libpq's API:
// parameters as libpq reads them, and what counts as success. Include only
// from storage/*.cpp (it brings libpq's own header).

#include "storage/pg.hpp"

#include "protocol/json_text.hpp"

#include <libpq-fe.h>

#include <string>
#include <vector>

namespace parley::storage {

/// A statement's parameters as libpq reads them: C strings, so a NUL becomes
/// U+FFFD (PostgreSQL text cannot hold one) rather than silently cutting the
/// value short.
struct bound_params {
  explicit bound_params(const std::vector<param>& params) {
    cleaned.reserve(params.size());
    values.reserve(params.size());
    for (auto& p : params) {
      if (p && p->find('\0') != std::string::npos)
        values.push_back(cleaned.emplace_back(storable_text(*p)).c_str());
      else
        values.push_back(p ? p->c_str() : nullptr);
    }
  }
  int count() const { return static_cast<int>(values.size()); }
  std::vector<std::string> cleaned;
  std::vector<const char*> values;
};

inline bool succeeded(pg_result* res) {
  auto status = PQresultStatus(res);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

/// libpq's message without its trailing newlines.
inline std::string trimmed(std::string msg) {
  while (!msg.empty() && msg.back() == '\n')
    msg.pop_back();
  return msg;
}

} // namespace parley::storage
