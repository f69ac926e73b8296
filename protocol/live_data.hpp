#pragma once

// The live data the connectors read (calendar, mail, GitHub, weather), as
// plain values, and the report a connector gives for a command or the brief.

#include "protocol/types.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace parley {

struct calendar_event {
  std::string summary;
  std::string location;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  bool all_day = false;
  std::string uid;   ///< the iCalendar UID or Google's event id
  bool busy = true;  ///< false: marked free (transparent), blocks no time
};

struct mail_item {
  std::string from;     ///< display name, or the address
  std::string subject;
  std::string snippet;  ///< may be empty (IMAP reads headers only)
  int64_t date_ms = 0;
};

/// One mail as a reply needs it: who wrote it, what it says, and the ids that
/// thread an answer (Message-ID and References; Gmail's thread id).
struct mail_message {
  std::string from;        ///< display name, or the address
  std::string address;     ///< the sender's bare address, where the reply goes
  std::string subject;
  std::string message_id;  ///< without the angle brackets
  std::string references;  ///< the References header as sent
  std::string thread_id;   ///< Gmail only
  std::string text;        ///< the plain-text body, decoded (may be empty)
  int64_t date_ms = 0;
};

struct github_item {
  std::string repo;  ///< owner/name
  int64_t number = 0;
  std::string title;
  std::string kind;  ///< review, assigned, failing
  std::vector<std::string> failing_checks;  ///< kind failing
};

struct weather_day {
  std::string date;
  int code = 0;        ///< WMO weather code
  double tmax = 0, tmin = 0;
  int rain_chance = 0; ///< percent
  double wind_kmh = 0;
};

/// What a connector knows now: its status and the items rendered as lines in
/// the tenant's language, plus the items that could be one of the day's
/// priorities (the brief's template picks three).
struct connector_report {
  std::string connector;  ///< calendar, mail, followups, github, weather, tasks, shell
  std::string status;     ///< ok, failing, not_configured
  std::string error;      ///< failing: one sentence; not_configured: the key to set
  std::vector<std::string> lines;
  std::vector<std::string> priorities;
  int64_t fetched_ms = 0;  ///< when the data was read (cached reports keep it)
  /// Topic `thread`: the mail a reply is about (at most one).
  std::vector<mail_message> mails;
  bool ok() const { return status == "ok"; }
};

/// The health of one connector, as GET /health shows it.
struct connector_health {
  std::string status = "ok";  ///< ok, failing
  int64_t last_success_ms = 0;  ///< 0: never
  std::string error;
};

} // namespace parley

namespace parley {

/// A composed brief: the text, and whether the model or the template wrote it.
struct composed_brief {
  std::string text;
  std::string how;    ///< llm, template
  std::string error;  ///< why the template was used ("" for llm)
  std::vector<connector_report> reports;
};

/// A day's scheduled brief handed to storage, which decides in one
/// transaction how it may go out (Meta's 24-hour window) and queues it.
struct brief_delivery {
  std::string tenant;
  std::string date;
  std::string chat;
  std::string channel;
  std::string recipient;
  composed_brief brief;
  std::string template_name;  ///< outside the window; "" = none configured
  std::string template_language;
};

/// What storage did with a day's brief.
struct brief_queued {
  bool applied = false;  ///< false: that day's brief was already queued or failed
  std::string state;     ///< queued, failed
  std::string error;     ///< e.g. outside_24h_window
  std::vector<outbox_item> outbox;  ///< the row to send, when queued
};

/// A day's brief as recorded.
struct brief_record {
  std::string tenant;
  std::string date;
  std::string state;  ///< composing, queued, failed; "" = none that day
  std::string how;
  std::string body;
  std::string error;
};

} // namespace parley
