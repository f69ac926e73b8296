#include "protocol/tools.hpp"

#include "protocol/policy.hpp"

namespace parley::tools {

using nlohmann::json;

std::vector<std::string> offered(const tenant_config& t,
                                 const std::string& sender) {
  if (t.shell.enabled && sender != "admin" && may_decide(t, sender))
    return {run_shell};
  return {};
}

json schemas(const std::vector<std::string>& names) {
  json out = json::array();
  for (auto& name : names) {
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
