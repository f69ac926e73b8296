#pragma once

// Live data in words, in Dutch or English: the lines of each connector's
// report and the replies of `agenda`, `inbox`, `followups`, `weer`, `github`.

#include "protocol/live_data.hpp"

#include <string>
#include <vector>

namespace parley {

/// "di 1 dec" / "Tue 1 Dec" for a date.
std::string short_date(const std::string& date, const std::string& lang);

/// "09:00–09:30 Standup (Room 1)", or "hele dag: Koningsdag".
std::string event_line(const calendar_event& e, const std::string& zone,
                       const std::string& lang);

/// "Alice: Lunch tomorrow?"
std::string mail_line(const mail_item& m);

/// "Jan: Factuur (sent 5 days ago)"
std::string followup_line(const mail_item& m, int64_t now_ms, const std::string& lang);

/// What a connector's report says as a WhatsApp reply: the heading and its
/// lines, "nothing" in words, the config key to set when it is not
/// configured, or what failed.
std::string report_reply(const connector_report& r, const std::string& heading,
                         const std::string& nothing, const std::string& lang);

/// A report with status ok and no lines yet.
connector_report ok_report(const std::string& connector);

/// A failing report with one sentence.
connector_report failing_report(const std::string& connector, std::string sentence);

/// The heading of a command's reply ("Agenda vandaag (di 1 dec):").
std::string live_heading(const std::string& topic, const std::string& date,
                         const std::string& lang);

/// A command's reply when there is nothing ("Geen afspraken.").
std::string live_nothing(const std::string& topic, const std::string& lang);

/// A report for a connector the tenant does not have, naming the key to set.
connector_report not_configured(const std::string& connector, const std::string& key);

/// The key to set for each connector ("tenants[].connectors.calendar").
std::string config_key_of(const std::string& connector);

} // namespace parley
