#pragma once

// A calendar parley reads (and, for bookings, writes): Google Calendar, a
// CalDAV collection, a read-only ICS feed, or parley's own (bookings only).

#include <string>
#include <utility>

namespace parley {

/// No provider: the tenant has no calendar.
struct calendar_source {
  calendar_source() = default;
  explicit calendar_source(std::string p) : provider(std::move(p)) {}

  std::string provider;  ///< "", google, caldav, ics; a business's bookings: parley too
  std::string calendar_id = "primary";  ///< google
  std::string url;       ///< caldav: the collection; ics: the feed
  std::string username;  ///< caldav
  std::string password;  ///< caldav, from password_env
  std::string password_env;  ///< the variable's name (shown instead of the secret)
  bool configured() const { return !provider.empty(); }
  /// Google or CalDAV: a calendar outside parley's database.
  bool external() const { return provider == "google" || provider == "caldav"; }
};

} // namespace parley
