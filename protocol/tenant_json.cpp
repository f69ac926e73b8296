#include "protocol/tenant_json.hpp"

#include "protocol/day_words.hpp"

namespace parley {

using nlohmann::json;

namespace {

/// An `_env` key: the variable's name, or null when none is named.
json env_name(const std::string& name) { return name.empty() ? json() : json(name); }

json template_json(const template_ref& t) {
  return {{"name", t.name}, {"language", t.language}};
}

json calendar_json(const calendar_source& cal) {
  json j{{"provider", cal.provider}};
  if (cal.provider == "google")
    j["calendar_id"] = cal.calendar_id;
  else if (cal.provider == "caldav" || cal.provider == "ics")
    j["url"] = cal.url;
  if (cal.provider == "caldav") {
    j["username"] = cal.username;
    j["password_env"] = env_name(cal.password_env);
  }
  return j;
}

json business_json(const business_config& b) {
  json services = json::array();
  for (auto& s : b.services)
    services.push_back({{"name", s.name}, {"minutes", s.minutes}, {"price", s.price}});
  static const char* days[] = {"mo", "tu", "we", "th", "fr", "sa", "su"};
  json hours = json::object();
  for (int d = 0; d < 7; ++d) {
    if (b.hours[d].empty())
      continue;
    json spans = json::array();
    for (auto& span : b.hours[d])
      spans.push_back(clock_text(span.from) + "-" + clock_text(span.to));
    hours[days[d]] = spans;
  }
  json out{{"name", b.name},
          {"tone", b.tone},
          {"address", b.address},
          {"rules", b.rules},
          {"services", services},
          {"hours", hours},
          {"closed", b.closed},
          {"max_concurrent", b.max_concurrent},
          {"slot_minutes", b.slot_minutes},
          {"min_notice_minutes", b.min_notice_minutes},
          {"horizon_days", b.horizon_days},
          {"calendar", calendar_json(b.calendar)},
          {"staff", b.staff},
          {"approve_bookings", b.approve_bookings},
          {"handover", b.handover_template.configured()
                         ? json{{"timeout_h", b.handover_timeout_h},
                                {"template", template_json(b.handover_template)}}
                         : json{{"timeout_h", b.handover_timeout_h}}}};
  if (b.reminder_hours_before > 0) {
    out["reminder"] = {{"hours_before", b.reminder_hours_before}};
    if (b.reminder_template.configured())
      out["reminder"]["template"] = template_json(b.reminder_template);
  }
  return out;
}

json connectors_json(const tenant_connectors& con) {
  json j = json::object();
  if (auto& cal = con.calendar; cal.configured())
    j["calendar"] = calendar_json(cal);
  if (auto& mail = con.mail; mail.configured()) {
    j["mail"] = {{"provider", mail.provider}, {"followup_days", mail.followup_days}};
    if (mail.provider == "imap") {
      auto& m = j["mail"];
      m["host"] = mail.host;
      m["port"] = mail.port;
      m["tls"] = mail.tls;
      m["username"] = mail.username;
      m["password_env"] = env_name(mail.password_env);
      m["inbox"] = mail.inbox;
      m["sent_folder"] = mail.sent_folder;
      m["address"] = mail.address;
      m["smtp"] = {{"host", mail.smtp_host}, {"port", mail.smtp_port}, {"tls", mail.smtp_tls}};
    }
  }
  if (con.github.enabled)
    j["github"] = {{"token_env", env_name(con.github.token_env)}, {"repos", con.github.repos}};
  if (auto& w = con.weather; w.enabled)
    j["weather"] = {{"latitude", w.latitude}, {"longitude", w.longitude}, {"place", w.place}};
  return j;
}

} // namespace

json tenant_json(const tenant_config& t) {
  json j = {{"id", t.id},
            {"kind", t.kind},
            {"channel", t.channel},
            {"phone_number_id", t.phone_number_id},
            {"access_token_env", env_name(t.access_token_env)},
            {"owner", t.owner},
            {"language", t.language},
            {"timezone", t.timezone},
            {"policy", t.policy},
            {"memory", t.memory},
            {"system_prompt", t.system_prompt},
            {"bot_name", t.bot_name},
            {"approvers", t.approvers},
            {"approval_ttl_s", t.approval_ttl_s},
            {"messages_per_second", t.messages_per_second},
            {"brief_at", t.brief_at}};
  if (t.brief_template.configured())
    j["brief_template"] = template_json(t.brief_template);
  if (t.channel == "evolution") {
    j["instance"] = t.instance;
    j["bot_number"] = t.bot_number;
    j["aliases"] = t.aliases;
    j["relevance_threshold"] = t.relevance_threshold;
    j["group_replies_per_minute"] = t.group_replies_per_minute;
  }
  if (t.shell.enabled)
    j["shell"] = {{"workdir", t.shell.workdir},
                  {"allow", t.shell.allow},
                  {"timeout_ms", t.shell.timeout_ms},
                  {"output_limit", t.shell.output_limit},
                  {"brief", t.shell.brief}};
  auto connectors = connectors_json(t.connectors);
  if (!connectors.empty())
    j["connectors"] = connectors;
  if (t.business.enabled)
    j["business"] = business_json(t.business);
  return j;
}

} // namespace parley
