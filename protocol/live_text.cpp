#include "protocol/live_text.hpp"

#include "protocol/time_zone.hpp"

namespace parley {

namespace {

bool nl(const std::string& lang) { return lang == "nl"; }

} // namespace

std::string short_date(const std::string& date, const std::string& lang) {
  static const char* days_en[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static const char* days_nl[] = {"ma", "di", "wo", "do", "vr", "za", "zo"};
  static const char* months_en[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static const char* months_nl[] = {"jan", "feb", "mrt", "apr", "mei", "jun",
                                    "jul", "aug", "sep", "okt", "nov", "dec"};
  if (!tz::is_date(date))
    return date;
  auto wd = tz::weekday(date);
  auto month = std::stoi(date.substr(5, 2)) - 1;
  auto day = std::to_string(std::stoi(date.substr(8, 2)));
  return nl(lang) ? std::string(days_nl[wd]) + " " + day + " " + months_nl[month]
                  : std::string(days_en[wd]) + " " + day + " " + months_en[month];
}

std::string event_line(const calendar_event& e, const std::string& zone,
                       const std::string& lang) {
  std::string where = e.location.empty() ? "" : " (" + e.location + ")";
  auto title = e.summary.empty() ? std::string(nl(lang) ? "(geen titel)" : "(no title)")
                                 : e.summary;
  if (e.all_day)
    return (nl(lang) ? "hele dag: " : "all day: ") + title + where;
  return tz::local_time(zone, e.start_ms) + "–" + tz::local_time(zone, e.end_ms) + " "
         + title + where;
}

std::string mail_line(const mail_item& m) {
  auto from = m.from.empty() ? std::string("?") : m.from;
  return from + ": " + (m.subject.empty() ? "(no subject)" : m.subject);
}

std::string followup_line(const mail_item& m, int64_t now_ms, const std::string& lang) {
  auto days = std::to_string((now_ms - m.date_ms) / 86400000);
  return mail_line(m) + (nl(lang) ? " (verstuurd " + days + " dagen geleden)"
                                  : " (sent " + days + " days ago)");
}

std::string config_key_of(const std::string& connector) {
  if (connector == "followups")
    return "tenants[].connectors.mail";
  if (connector == "shell")
    return "tenants[].shell.brief";
  return "tenants[].connectors." + connector;
}

connector_report ok_report(const std::string& connector) {
  connector_report r;
  r.connector = connector;
  r.status = "ok";
  return r;
}

connector_report failing_report(const std::string& connector, std::string sentence) {
  connector_report r;
  r.connector = connector;
  r.status = "failing";
  r.error = std::move(sentence);
  return r;
}

std::string live_heading(const std::string& topic, const std::string& date,
                         const std::string& lang) {
  bool n = nl(lang);
  auto day = " (" + short_date(date, lang) + "):";
  if (topic == "agenda")
    return (n ? "Agenda" : "Agenda") + day;
  if (topic == "weather")
    return (n ? "Weer" : "Weather") + day;
  if (topic == "inbox")
    return n ? "Ongelezen mail:" : "Unread mail:";
  if (topic == "followups")
    return n ? "Nog geen antwoord op:" : "Still waiting for an answer to:";
  if (topic == "github")
    return n ? "GitHub, wacht op jou:" : "GitHub, waiting for you:";
  return topic + ":";
}

std::string live_nothing(const std::string& topic, const std::string& lang) {
  bool n = nl(lang);
  if (topic == "agenda")
    return n ? "Geen afspraken." : "No appointments.";
  if (topic == "inbox")
    return n ? "Geen ongelezen mail." : "No unread mail.";
  if (topic == "followups")
    return n ? "Niets om op te volgen." : "Nothing to follow up.";
  if (topic == "github")
    return n ? "Niets dat op je wacht." : "Nothing waiting for you.";
  return n ? "Geen gegevens." : "No data.";
}

connector_report not_configured(const std::string& connector, const std::string& key) {
  connector_report r;
  r.connector = connector;
  r.status = "not_configured";
  r.error = key;
  return r;
}

std::string report_reply(const connector_report& r, const std::string& heading,
                         const std::string& nothing, const std::string& lang) {
  if (r.status == "not_configured")
    return nl(lang) ? "Er is geen " + r.connector + "-koppeling ingesteld; zet "
                        + r.error + " in de configuratie."
                    : "No " + r.connector + " connector is configured; set "
                        + r.error + " in the configuration.";
  if (!r.ok())
    return (nl(lang) ? "Dat lukte nu niet: " : "That did not work right now: ") + r.error;
  if (r.lines.empty())
    return heading + "\n" + nothing;
  std::string out = heading;
  for (auto& l : r.lines)
    out += "\n• " + l;
  return out;
}

} // namespace parley
