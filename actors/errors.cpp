#include "actors/errors.hpp"

#include <caf/deep_to_string.hpp>
#include <caf/message.hpp>

namespace parley {

std::string to_string(errc x) {
  switch (x) {
    case errc::storage_unavailable:
      return "storage_unavailable";
    case errc::llm_failed:
      return "llm_failed";
    case errc::bad_input:
      return "bad_input";
    case errc::not_found:
      return "not_found";
    case errc::conflict:
      return "conflict";
  }
  return "unknown";
}

std::string describe(const caf::error& err) {
  if (err.category() == caf::atom("parley") && err.context().match_elements<std::string>())
    return to_string(static_cast<errc>(err.code())) + ": "
           + err.context().get_as<std::string>(0);
  return caf::to_string(err);
}

} // namespace parley
