#pragma once

// The tools parley offers the model, in the OpenAI function-calling format.
// Each side-effecting tool call passes the policy gate like a typed command.

#include "protocol/config.hpp"
#include "protocol/live_data.hpp"
#include "protocol/types.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace parley::tools {

inline constexpr const char* run_shell = "run_shell";
inline constexpr const char* calendar_events = "calendar_events";
inline constexpr const char* unread_mail = "unread_mail";
inline constexpr const char* followups = "followups";
inline constexpr const char* weather = "weather";
inline constexpr const char* github_summary = "github_summary";
inline constexpr const char* tasks = "tasks";
inline constexpr const char* create_event = "create_event";
inline constexpr const char* send_mail_reply = "send_mail_reply";
// A business's customers (and its owner and staff) book with these.
// The context hub (the owner's agent): read tier by tier, save an idea.
inline constexpr const char* context_abstracts = "context_abstracts";
inline constexpr const char* context_overview = "context_overview";
inline constexpr const char* context_read = "context_read";
inline constexpr const char* context_search = "context_search";
inline constexpr const char* save_idea = "save_idea";

/// Whether `name` is one of the context hub's tools.
bool is_context_tool(const std::string& name);

inline constexpr const char* list_services = "list_services";
inline constexpr const char* find_slots = "find_slots";
inline constexpr const char* book = "book";
inline constexpr const char* my_appointments = "my_appointments";
inline constexpr const char* reschedule = "reschedule";
inline constexpr const char* cancel = "cancel";
inline constexpr const char* handover = "handover";

/// Whether `name` is one of the booking tools.
bool is_booking_tool(const std::string& name);

/// The tools the model may use when answering `sender`: a business with a
/// business block offers everyone its booking tools (the booking desk keeps
/// each customer to their own bookings); only the people who may decide for
/// the tenant (its owner and approvers) are offered anything else, so
/// nobody else's words can reach the owner's data or server. Read tools
/// exist for the connectors the tenant has; run_shell with a shell block;
/// the context hub's tools for a personal tenant's owner when `context_hub`.
std::vector<std::string> offered(const tenant_config& t, const std::string& sender,
                                 bool context_hub = false);

/// What a read tool asks of a connector: its source and topic, and the
/// local date (arguments "date": "YYYY-MM-DD", "today", "tomorrow"; absent:
/// today). `error` is set for bad arguments or a tool that is not a read.
struct read_call {
  std::string source;  ///< calendar, mail, weather, github; "tasks" for tasks()
  std::string topic;   ///< agenda, inbox, followups, weather, github, tasks
  std::string date;
  int limit = 10;      ///< unread_mail(limit)
  std::string error;
};
read_call parse_read_call(const tool_call& call, const std::string& today,
                          const std::string& tomorrow);

/// The gate's action line of a create_event call ({"title", "date",
/// "start", "minutes"}); empty with `error` set when the arguments are wrong.
std::string event_line(const std::string& arguments, const std::string& today,
                       const std::string& tomorrow, std::string& error);

/// A connector's report as the model reads it: its lines, "(nothing)", or
/// "error: ..." — data, never instructions.
std::string result_text(const connector_report& r, int limit = 100);

/// The `tools` array of a chat-completions request.
nlohmann::json schemas(const std::vector<std::string>& names);

/// A send_mail_reply call: words naming the mail, and the reply's text;
/// `error` when either is missing.
struct mail_reply_call {
  std::string about;
  std::string body;
  std::string error;
};
mail_reply_call reply_call(const std::string& arguments);

/// The command line of a run_shell call; empty with `error` set when the
/// arguments are not `{"command": "<text>"}`.
std::string shell_line(const std::string& arguments, std::string& error);

} // namespace parley::tools
