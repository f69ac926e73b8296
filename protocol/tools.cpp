#include "protocol/tools.hpp"

#include "protocol/json_fields.hpp"
#include "protocol/plan_text.hpp"
#include "protocol/policy.hpp"

namespace parley::tools {

using nlohmann::json;

bool is_context_tool(const std::string& name) {
  return name == context_abstracts || name == context_overview || name == context_read
         || name == context_search || name == save_idea;
}

std::vector<std::string> offered(const tenant_config& t, const std::string& sender,
                                 bool context_hub) {
  std::vector<std::string> out;
  if (t.kind == "business" && t.business.enabled)
    out = {list_services, find_slots, book, my_appointments, reschedule, cancel, handover};
  if (sender == "admin" || !may_decide(t, sender))
    return out;
  auto& c = t.connectors;
  if (c.calendar.configured())
    out.push_back(calendar_events);
  if (c.mail.configured()) {
    out.push_back(unread_mail);
    out.push_back(followups);
  }
  if (c.weather.enabled)
    out.push_back(weather);
  if (c.github.enabled)
    out.push_back(github_summary);
  if (t.kind == "personal")
    out.push_back(tasks);
  if (c.calendar.provider == "caldav" || c.calendar.provider == "google")
    out.push_back(create_event);
  if (c.mail.configured())
    out.push_back(send_mail_reply);
  if (t.shell.enabled)
    out.push_back(run_shell);
  // The hub tier by tier: the abstracts first, then what they point to.
  if (context_hub && t.kind == "personal")
    out.insert(out.end(), {context_abstracts, context_overview, context_read, context_search,
                           save_idea});
  return out;
}

namespace {

json function(const char* name, const char* description, json properties,
              std::vector<std::string> required = {}) {
  json parameters = {{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty())
    parameters["required"] = required;
  return {{"type", "function"},
          {"function",
           {{"name", name}, {"description", description}, {"parameters", parameters}}}};
}

json text_property(const char* description) {
  return {{"type", "string"}, {"description", description}};
}

json date_property() {
  return {{"date", {{"type", "string"},
                    {"description", "YYYY-MM-DD, or today or tomorrow (default today)"}}}};
}

} // namespace

json schemas(const std::vector<std::string>& names) {
  json out = json::array();
  for (auto& name : names) {
    if (name == calendar_events)
      out.push_back(function(calendar_events, "The owner's calendar events on one day.",
                             date_property()));
    else if (name == unread_mail)
      out.push_back(function(unread_mail, "Unread mail in the owner's inbox, newest first.",
                             {{"limit", {{"type", "integer"},
                                         {"description", "at most this many (default 10)"}}}}));
    else if (name == followups)
      out.push_back(function(followups, "Mail the owner sent days ago that nobody answered.",
                             json::object()));
    else if (name == weather)
      out.push_back(function(weather, "The forecast for the owner's place on one day.",
                             date_property()));
    else if (name == github_summary)
      out.push_back(function(github_summary, "GitHub work waiting for the owner: review "
                                             "requests, failing checks, assigned issues.",
                             json::object()));
    else if (name == tasks)
      out.push_back(function(tasks, "The owner's open tasks.", json::object()));
    else if (name == context_abstracts)
      out.push_back(function(context_abstracts,
                             "One line on what each folder of the owner's context hub holds"
                             " (identity, inbox, areas, projects, knowledge). Start here.",
                             json::object()));
    else if (name == context_overview)
      out.push_back(function(context_overview, "A folder's overview and its files.",
                             {{"folder", text_property("identity, inbox, areas, projects,"
                                                       " knowledge or archive")}},
                             {"folder"}));
    else if (name == context_read)
      out.push_back(function(context_read, "One file of the context hub (at most 16 KB).",
                             {{"path", text_property("relative to the hub, e.g."
                                                     " projects/website.md")}},
                             {"path"}));
    else if (name == context_search)
      out.push_back(function(context_search,
                             "Files of the context hub whose names or text hold these words,"
                             " best first (the archive only by name).",
                             {{"words", text_property("a few words")}}, {"words"}));
    else if (name == save_idea)
      out.push_back(function(save_idea, "Save the owner's idea as a note in the hub's inbox.",
                             {{"text", text_property("the idea, in the owner's words")}},
                             {"text"}));
    else if (name == create_event)
      out.push_back(function(
        create_event, "Create an event in the owner's calendar; the owner is asked to "
                      "approve the exact event first.",
        {{"title", {{"type", "string"}}},
         {"date", {{"type", "string"}, {"description", "YYYY-MM-DD, today or tomorrow"}}},
         {"start", {{"type", "string"}, {"description", "HH:MM, local time"}}},
         {"minutes", {{"type", "integer"}, {"description", "length (default 60)"}}}},
        {"title", "date", "start"}));
    else if (name == list_services)
      out.push_back(function(list_services, "The services of the business with minutes and price.",
                             json::object()));
    else if (name == find_slots)
      out.push_back(function(
        find_slots, "Free start times for a service between two dates (at most 14 days).",
        {{"service", text_property("the service's name")},
         {"from_date", text_property("YYYY-MM-DD (default today)")},
         {"to_date", text_property("YYYY-MM-DD (default a week later)")}},
        {"service"}));
    else if (name == book)
      out.push_back(function(
        book, "Book a service at a free start time for the customer.",
        {{"service", text_property("the service's name")},
         {"start", text_property("local 'YYYY-MM-DD HH:MM'")},
         {"name", text_property("the customer's name")}},
        {"service", "start"}));
    else if (name == my_appointments)
      out.push_back(function(my_appointments, "The customer's upcoming appointments.",
                             json::object()));
    else if (name == reschedule)
      out.push_back(function(
        reschedule, "Move one of the customer's appointments to another free start time.",
        {{"booking_id", {{"type", "integer"}}},
         {"start", text_property("local 'YYYY-MM-DD HH:MM'")}},
        {"booking_id", "start"}));
    else if (name == cancel)
      out.push_back(function(cancel, "Cancel one of the customer's appointments.",
                             {{"booking_id", {{"type", "integer"}}}}, {"booking_id"}));
    else if (name == handover)
      out.push_back(function(
        handover, "Hand the chat over to a person of the business: you stay silent in it "
                  "from then on. Use it when the customer asks for a person or you cannot help.",
        {{"reason", text_property("why, in a few words")}}, {"reason"}));
    else if (name == send_mail_reply)
      out.push_back(function(
        send_mail_reply, "Reply to a mail from the last 30 days; the owner is asked to "
                         "approve the exact text first.",
        {{"about", {{"type", "string"},
                    {"description", "the sender's name or words of the subject that name the mail"}}},
         {"body", {{"type", "string"}, {"description", "the full text of the reply"}}}},
        {"about", "body"}));
    if (name != run_shell)
      continue;
    out.push_back(
      {{"type", "function"},
       {"function",
        {{"name", run_shell},
         {"description",
          "Run one command on the owner's server, as plain words without any "
          "shell syntax (no pipes, redirections, ; or &&). Read-only commands "
          "such as `git status` or `df -h` run at once; anything else waits "
          "for the owner's approval; destructive commands are refused."},
         {"parameters",
          {{"type", "object"},
           {"properties",
            {{"command", {{"type", "string"},
                          {"description", "the command line, e.g. git log -5"}}}}},
           {"required", {"command"}}}}}}});
  }
  return out;
}

read_call parse_read_call(const tool_call& call, const std::string& today,
                          const std::string& tomorrow) {
  read_call r;
  r.date = today;
  struct known { const char* name; const char* source; const char* topic; };
  static const known table[] = {{calendar_events, "calendar", "agenda"},
                                {unread_mail, "mail", "inbox"},
                                {followups, "mail", "followups"},
                                {weather, "weather", "weather"},
                                {github_summary, "github", "github"},
                                {tasks, "tasks", "tasks"}};
  for (auto& k : table)
    if (call.name == k.name) {
      r.source = k.source;
      r.topic = k.topic;
    }
  if (r.source.empty()) {
    r.error = "there is no tool named '" + call.name + "'";
    return r;
  }
  auto args = call.arguments.empty() ? json::object()
                                     : json::parse(call.arguments, nullptr, false);
  if (!args.is_object()) {
    r.error = "the arguments are not a JSON object";
    return r;
  }
  if (auto d = args.find("date"); d != args.end() && !d->is_null()) {
    auto text = d->is_string() ? d->get<std::string>() : std::string();
    if (text == "today" || text == "vandaag")
      r.date = today;
    else if (text == "tomorrow" || text == "morgen")
      r.date = tomorrow;
    else if (text.size() == 10 && text[4] == '-' && text[7] == '-'
             && text.find_first_not_of("0123456789-") == std::string::npos)
      r.date = text;
    else
      r.error = "\"date\" must be YYYY-MM-DD, today or tomorrow";
  }
  if (auto l = args.find("limit"); l != args.end() && !l->is_null()) {
    if (!l->is_number_integer() || l->get<int64_t>() < 1 || l->get<int64_t>() > 50)
      r.error = "\"limit\" must be a whole number from 1 to 50";
    else
      r.limit = static_cast<int>(l->get<int64_t>());
  }
  return r;
}

std::string event_line(const std::string& arguments, const std::string& today,
                       const std::string& tomorrow, std::string& error) {
  auto j = json::parse(arguments, nullptr, false);
  if (!j.is_object()) {
    error = "the arguments are not a JSON object";
    return {};
  }
  auto text = [&](const char* k) { return string_field(j, k); };
  auto date = text("date");
  if (date == "today") date = today;
  if (date == "tomorrow") date = tomorrow;
  int64_t minutes = 60;
  if (auto m = j.find("minutes"); m != j.end() && !m->is_null()) {
    if (!m->is_number_integer()) {
      error = "\"minutes\" must be a whole number";
      return {};
    }
    minutes = m->get<int64_t>();
  }
  auto title = text("title");
  for (auto& ch : title)
    if (ch == '\n' || ch == '\r')
      ch = ' ';
  auto line = date + " " + text("start") + " " + std::to_string(minutes) + " " + title;
  if (!plan_of_line(line).error.empty()) {
    error = "give title, date (YYYY-MM-DD), start (HH:MM) and minutes (1 to 1440)";
    return {};
  }
  return line;
}

std::string result_text(const connector_report& r, int limit) {
  if (r.status == "not_configured")
    return "error: not configured (set " + r.error + ")";
  if (!r.ok())
    return "error: " + r.error;
  if (r.lines.empty())
    return "(nothing)";
  std::string out;
  for (size_t i = 0; i < r.lines.size() && i < static_cast<size_t>(limit); ++i)
    out += (out.empty() ? "" : "\n") + r.lines[i];
  return out;
}

bool is_booking_tool(const std::string& name) {
  for (auto n : {list_services, find_slots, book, my_appointments, reschedule, cancel})
    if (name == n)
      return true;
  return false;
}

mail_reply_call reply_call(const std::string& arguments) {
  mail_reply_call out;
  auto j = json::parse(arguments, nullptr, false);
  if (!j.is_object()) {
    out.error = "the arguments are not a JSON object";
    return out;
  }
  auto text = [&](const char* k) { return string_field(j, k); };
  out.about = text("about");
  out.body = text("body");
  if (out.about.empty() || out.body.find_first_not_of(" \t\r\n") == std::string::npos)
    out.error = "give \"about\" (who or what the mail is) and \"body\" (the reply's text)";
  return out;
}

std::string shell_line(const std::string& arguments, std::string& error) {
  auto j = json::parse(arguments, nullptr, false);
  if (!j.is_object()) {
    error = "the arguments are not a JSON object";
    return {};
  }
  auto c = j.find("command");
  if (c == j.end() || !c->is_string() || c->get_ref<const std::string&>().empty()) {
    error = "the arguments have no \"command\" text";
    return {};
  }
  return c->get<std::string>();
}

} // namespace parley::tools
