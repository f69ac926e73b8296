#include "protocol/automation_reader.hpp"

#include "protocol/cron.hpp"
#include "protocol/time_zone.hpp"
#include "protocol/workflow_template.hpp"

#include <cctype>
#include <set>

namespace parley {

namespace {

bool plain_name(const std::string& s) {
  if (s.empty() || s.size() > 64)
    return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      return false;
  return true;
}

/// Every placeholder of `tpl` that cannot have a value at step `n` is a
/// problem of `key`.
void check_template(object_reader& r, const char* key, const std::string& tpl, size_t n) {
  for (auto& bad : workflow::invalid_placeholders(tpl, n))
    r.problem(key, "the placeholder " + bad + " can never have a value here (use {{payload}},"
                   " {{payload.field}} or {{steps.N.output}} of an earlier step)");
}

bool number_like(const std::string& to) {
  if (to.size() < 8 || to.size() > 15)
    return false;
  for (char c : to)
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  return true;
}

workflow_step read_step(object_reader& s, size_t n, const tenant_config* tenant) {
  workflow_step step;
  using k = workflow_step::kind_t;
  const std::pair<const char*, k> kinds[] = {{"llm", k::llm},   {"send", k::send},
                                             {"task", k::task}, {"note", k::note},
                                             {"http", k::http}, {"shell", k::shell}};
  std::vector<k> present;
  for (auto& [key, kind] : kinds)
    if (s.has(key))
      present.push_back(kind);
  if (present.size() != 1) {
    s.problem("a step has exactly one of llm, send, task, note, http, shell (this one has "
              + std::to_string(present.size()) + ")");
    return step;
  }
  step.kind = present.front();
  switch (step.kind) {
    case k::llm:
      s.read("llm", step.text);
      if (s.has("fallback")) {
        std::string fb;
        s.read("fallback", fb);
        step.fallback = fb;
        check_template(s, "fallback", fb, n);
      }
      if (step.text.empty())
        s.problem("llm", "the prompt is empty");
      check_template(s, "llm", step.text, n);
      break;
    case k::send:
      s.object("send", [&](object_reader& o) {
        o.read("to", step.to);
        o.read("text", step.text);
        if (step.to.empty())
          o.problem("to", "missing: \"owner\" or a number");
        else if (step.to == "owner" && tenant && tenant->owner.empty())
          o.problem("to", "the workflow's tenant has no owner");
        else if (step.to != "owner" && !number_like(step.to))
          o.problem("to", "must be \"owner\" or a number in international form, digits only");
        if (step.text.empty() && n == 1)
          o.problem("text", "missing: the first step has no previous output to send");
        check_template(o, "text", step.text, n);
      });
      break;
    case k::task:
      s.object("task", [&](object_reader& o) {
        o.read("title", step.text);
        if (step.text.empty())
          o.problem("title", "missing");
        check_template(o, "title", step.text, n);
      });
      break;
    case k::note:
      s.read("note", step.text);
      if (step.text.empty())
        s.problem("note", "the note is empty");
      check_template(s, "note", step.text, n);
      break;
    case k::http:
      s.object("http", [&](object_reader& o) {
        o.read("url", step.url);
        o.read("method", step.method);
        o.read("body", step.text);
        if (step.url.rfind("http://", 0) != 0 && step.url.rfind("https://", 0) != 0)
          o.problem("url", "must be an http:// or https:// URL");
        static const std::set<std::string> methods{"GET", "POST", "PUT", "PATCH", "DELETE"};
        if (!methods.count(step.method))
          o.problem("method", "must be one of GET, POST, PUT, PATCH, DELETE");
        check_template(o, "body", step.text, n);
        if (tenant && tenant->owner.empty())
          o.problem("url", "the workflow's tenant has no owner to approve the call");
      });
      break;
    case k::shell:
      s.read("shell", step.text);
      if (step.text.empty())
        s.problem("shell", "the command is empty");
      else if (tenant && !tenant->shell.enabled)
        s.problem("shell", "the workflow's tenant has no shell block");
      else if (tenant && tenant->owner.empty())
        s.problem("shell", "the workflow's tenant has no owner to approve it");
      break;
  }
  return step;
}

} // namespace

void read_automation(object_reader& r, config& c, const env_lookup& env) {
  auto& a = c.automation;
  r.read("context_dir", a.context_dir);
  r.read("workflow_max_attempts", a.max_attempts);
  if (a.max_attempts < 1 || a.max_attempts > 100)
    r.problem("workflow_max_attempts", "must be between 1 and 100");
  r.read("workflow_backoff_ms", a.backoff_ms);
  if (a.backoff_ms < 10 || a.backoff_ms > 3'600'000)
    r.problem("workflow_backoff_ms", "must be between 10 and 3600000");

  std::set<std::string> names;
  r.objects("workflows", [&](object_reader& w, size_t) {
    workflow_config wf;
    w.read("name", wf.name);
    w.read("tenant", wf.tenant);
    if (!plain_name(wf.name))
      w.problem("name", "must be 1-64 letters, digits, '_' or '-'");
    else if (!names.insert(wf.name).second)
      w.problem("name", "'" + wf.name + "' is used by another workflow");
    auto tenant = c.tenant_by_id(wf.tenant);
    if (wf.tenant.empty())
      w.problem("tenant", "missing: the tenant whose policy, owner and 24-hour rules apply");
    else if (!tenant)
      w.problem("tenant", "no tenant '" + wf.tenant + "' in this file");
    size_t n = 0;
    w.objects("steps", [&](object_reader& s, size_t) {
      wf.steps.push_back(read_step(s, ++n, tenant.get()));
    });
    if (wf.steps.empty())
      w.problem("steps", "a workflow needs at least one step");
    a.workflows.push_back(std::move(wf));
  });
  auto check_workflow = [&](object_reader& o, const std::string& name) {
    if (name.empty())
      o.problem("workflow", "missing");
    else if (!names.count(name))
      o.problem("workflow", "no workflow '" + name + "'");
  };

  std::set<std::string> hook_names;
  r.objects("hooks", [&](object_reader& h, size_t) {
    hook_config hook;
    h.read("name", hook.name);
    if (!plain_name(hook.name))
      h.problem("name", "must be 1-64 letters, digits, '_' or '-' (it is the URL's last part)");
    else if (!hook_names.insert(hook.name).second)
      h.problem("name", "'" + hook.name + "' is used by another hook");
    auto var = h.secret("secret_env", hook.secret, env);
    if (var.empty())
      h.problem("secret_env", "missing: the environment variable with the hook's secret");
    else if (hook.secret.size() < 16)
      h.problem("secret_env", "the environment variable " + var
                                + " is not set or shorter than 16 characters");
    h.read("auth", hook.auth);
    if (hook.auth != "hmac" && hook.auth != "bearer")
      h.problem("auth", "must be \"hmac\" or \"bearer\"");
    h.read("workflow", hook.workflow);
    check_workflow(h, hook.workflow);
    h.read("id_pointer", hook.id_pointer);
    if (!hook.id_pointer.empty() && hook.id_pointer[0] != '/')
      h.problem("id_pointer", "must be a JSON pointer such as \"/data/id\"");
    a.hooks.push_back(std::move(hook));
  });

  std::set<std::string> schedule_names;
  r.objects("schedules", [&](object_reader& s, size_t) {
    schedule_config sc;
    s.read("name", sc.name);
    if (!plain_name(sc.name))
      s.problem("name", "must be 1-64 letters, digits, '_' or '-'");
    else if (!schedule_names.insert(sc.name).second)
      s.problem("name", "'" + sc.name + "' is used by another schedule");
    s.read("cron", sc.cron);
    std::string why;
    if (!cron::parse(sc.cron, why))
      s.problem("cron", why);
    s.read("timezone", sc.timezone);
    if (!tz::valid(sc.timezone))
      s.problem("timezone", "'" + sc.timezone + "' is not a time zone (e.g. Europe/Amsterdam)");
    s.read("workflow", sc.workflow);
    check_workflow(s, sc.workflow);
    s.read("catch_up", sc.catch_up);
    a.schedules.push_back(std::move(sc));
  });
}

} // namespace parley
