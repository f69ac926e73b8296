#pragma once

// The events of a tenant's calendar between two instants, as the calendar
// connector (the owner's agenda) and a business's booking calendar both
// read them: Google's events.list, a CalDAV calendar-query REPORT or an ICS
// feed, recurring events expanded. Blocking, within `timeout_ms`.

#include "protocol/calendar_source.hpp"
#include "protocol/live_data.hpp"

#include <string>
#include <utility>
#include <vector>

namespace parley {

class google_tokens;
namespace net {
class http_client;
}

/// Google Calendar's events between two instants; sets `error` (a sentence).
std::vector<calendar_event> google_events(google_tokens& tokens, const std::string& api_url,
                                          const std::string& calendar_id, int64_t from_ms,
                                          int64_t to_ms, const std::string& zone,
                                          int timeout_ms, std::string& error);

/// A CalDAV collection's (or an ICS feed's) events between two instants;
/// sets `error`, naming `credential_key` when the server refused it.
std::vector<calendar_event> dav_events(net::http_client& http, const calendar_source& cal,
                                       int64_t from_ms, int64_t to_ms, const std::string& zone,
                                       int timeout_ms, const std::string& credential_key,
                                       std::string& error);

/// The Authorization header of a CalDAV request ("" name when no username).
std::pair<std::string, std::string> dav_authorization(const calendar_source& cal);

} // namespace parley
