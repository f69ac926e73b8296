#pragma once

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include <cstdint>
#include <string>

namespace parley {

/// parley's error codes inside the actor system.
enum class errc : uint8_t {
  storage_unavailable = 1,  ///< the database is down or refused the query
  llm_failed,               ///< timeout, HTTP error or unusable answer
  bad_input,
  not_found,                ///< no such record
  conflict,                 ///< the record is no longer in the state asked for
};

std::string to_string(errc x);

inline caf::error make_error(errc x, std::string context) {
  return caf::error(static_cast<uint8_t>(x), caf::atom("parley"),
                    caf::make_message(std::move(context)));
}

/// The context sentence of an error, or the whole rendering if it has none.
std::string describe(const caf::error& err);

} // namespace parley
