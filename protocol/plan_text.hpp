#pragma once

// `plan: <what> <when>`: the event's title, day and time read
// deterministically from Dutch or English ("overleg met Sara vrijdag 14:00",
// "dentist tomorrow 9u30", "review 2026-12-14 10:00-11:30").

#include <string>

namespace parley {

struct planned_event {
  std::string title;
  std::string date;   ///< local YYYY-MM-DD
  std::string start;  ///< local HH:MM
  int minutes = 60;   ///< a range "14:00-15:30" sets it; else an hour
  std::string error;  ///< what is missing, in a sentence (English)
};

/// Reads `text` (after "plan:") relative to the local date `today`. Day
/// names mean the coming such day (today counts); `morgen`/`tomorrow`,
/// `overmorgen`, `vandaag`/`today`, YYYY-MM-DD and D-M (this year, or next
/// once passed) are dates; HH:MM, H.MM, 14u and 14u30 are times.
planned_event parse_plan(const std::string& text, const std::string& today);

/// The event as an action line for the gate: "<date> <start> <minutes> <title>".
std::string plan_line(const planned_event& e);

/// Back from an action line; `error` set when it is not one.
planned_event plan_of_line(const std::string& line);

/// "Overleg met Sara, vr 4 dec 14:00–15:00" for confirmations.
std::string plan_summary(const planned_event& e, const std::string& lang);

} // namespace parley
