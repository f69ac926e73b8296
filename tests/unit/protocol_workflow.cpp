// Workflows: the templates (placeholders over the event's payload and the
// earlier steps' outputs, missing fields reported, JSON escaping for http
// bodies) and the configuration of hooks, workflows and schedules, checked
// at start-up with each problem naming its key.
#define CAF_SUITE workflow_templates
#include "protocol/config.hpp"
#include "protocol/workflow_template.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

using namespace parley;
using namespace parley::workflow;
using json = nlohmann::json;

namespace {

const json form = json::parse(R"({"name": "Anna \"de\" Vries", "age": 41, "tags": ["new", "vip"],
                                  "address": {"city": "Utrecht"}, "note": null})");

} // namespace

CAF_TEST(placeholders take the payload and earlier outputs) {
  auto e = expand("Nieuw formulier: {{payload.name}} ({{ payload.age }}) uit {{payload.address.city}},"
                  " eerst {{payload.tags.0}}; samenvatting: {{steps.1.output}}",
                  form, {"Een klant uit Utrecht."});
  CAF_CHECK_EQUAL(e.text, "Nieuw formulier: Anna \"de\" Vries (41) uit Utrecht, eerst new;"
                          " samenvatting: Een klant uit Utrecht.");
  CAF_CHECK(e.missing.empty());
  // The whole payload, and an object field, as JSON.
  CAF_CHECK_EQUAL(expand("{{payload.address}}", form, {}).text, R"({"city":"Utrecht"})");
  CAF_CHECK_EQUAL(json::parse(expand("{{payload}}", form, {}).text), form);
}

CAF_TEST(a missing or null field is empty and reported) {
  auto e = expand("[{{payload.phone}}] [{{payload.note}}] [{{payload.address.street}}]"
                  " [{{payload.tags.7}}] [{{steps.3.output}}] [{{nonsense}}]",
                  form, {"one"});
  CAF_CHECK_EQUAL(e.text, "[] [] [] [] [] []");
  CAF_CHECK_EQUAL(e.missing, (std::vector<std::string>{"payload.phone", "payload.note",
                                                       "payload.address.street", "payload.tags.7",
                                                       "steps.3.output", "nonsense"}));
}

CAF_TEST(text that is not a placeholder stays) {
  CAF_CHECK_EQUAL(expand("a {{ b", form, {}).text, "a {{ b");
  CAF_CHECK_EQUAL(expand("no braces }} here", form, {}).text, "no braces }} here");
  CAF_CHECK_EQUAL(expand("", form, {}).text, "");
}

CAF_TEST(inside a json body values are escaped) {
  auto e = expand(R"({"who": "{{payload.name}}", "line": "{{steps.1.output}}"})", form,
                  {"two\nlines\t\\"}, escaping::json);
  auto body = json::parse(e.text);
  CAF_CHECK_EQUAL(body["who"], "Anna \"de\" Vries");
  CAF_CHECK_EQUAL(body["line"], "two\nlines\t\\");
}

CAF_TEST(placeholders that can never have a value are found before a run) {
  CAF_CHECK(invalid_placeholders("{{payload}} {{payload.a.b}} {{steps.1.output}}", 2).empty());
  CAF_CHECK_EQUAL(invalid_placeholders("{{steps.2.output}} {{step.1}} {{payload..a}} {{ x }}", 2),
                  (std::vector<std::string>{"{{steps.2.output}}", "{{step.1}}", "{{payload..a}}",
                                            "{{ x }}"}));
}

namespace {

const char* tenants = R"("tenants": [{"id": "ops", "owner": "31612345678"}, {"id": "shop"}])";

config parse_with(const std::string& body) {
  return parse_config("{" + body + ", " + tenants + "}", [](const std::string& var) {
    return std::optional<std::string>(var == "SHORT" ? "short" : "a-hook-secret-of-some-length");
  });
}

std::vector<std::string> problems_with(const std::string& body) {
  try {
    parse_with(body);
  } catch (const config_error& e) {
    return e.problems;
  }
  return {};
}

} // namespace

CAF_TEST(a form wired to a message is read from the config) {
  auto c = parse_with(R"(
    "hooks": [{"name": "form", "secret_env": "FORM_SECRET", "workflow": "notify_owner",
               "id_pointer": "/data/id"}],
    "workflows": [{"name": "notify_owner", "tenant": "ops", "steps": [
      {"llm": "Vat samen: {{payload}}", "fallback": "Nieuw formulier: {{payload.name}}"},
      {"send": {"to": "owner"}},
      {"task": {"title": "Bel {{payload.name}}"}},
      {"note": "{{steps.1.output}}"}]}],
    "schedules": [{"name": "weekly", "cron": "0 9 * * TUE", "timezone": "Europe/Amsterdam",
                   "workflow": "notify_owner", "catch_up": true}],
    "workflow_max_attempts": 3, "context_dir": "/srv/context")");
  auto& a = c.automation;
  CAF_REQUIRE_EQUAL(a.hooks.size(), 1u);
  CAF_CHECK_EQUAL(a.hooks[0].secret, "a-hook-secret-of-some-length");
  CAF_CHECK_EQUAL(a.hooks[0].auth, "hmac");
  CAF_CHECK_EQUAL(a.hooks[0].id_pointer, "/data/id");
  auto* wf = a.workflow("notify_owner");
  CAF_REQUIRE(wf != nullptr);
  CAF_REQUIRE_EQUAL(wf->steps.size(), 4u);
  CAF_CHECK_EQUAL(to_string(wf->steps[0].kind), "llm");
  CAF_CHECK_EQUAL(*wf->steps[0].fallback, "Nieuw formulier: {{payload.name}}");
  CAF_CHECK_EQUAL(wf->steps[1].to, "owner");
  CAF_CHECK_EQUAL(wf->steps[1].text, "");
  CAF_CHECK_EQUAL(to_string(wf->steps[3].kind), "note");
  CAF_REQUIRE_EQUAL(a.schedules.size(), 1u);
  CAF_CHECK(a.schedules[0].catch_up);
  CAF_CHECK_EQUAL(a.max_attempts, 3);
  CAF_CHECK_EQUAL(a.context_dir, "/srv/context");
}

CAF_TEST(every wrong part of a workflow is named at start-up) {
  auto p = problems_with(R"(
    "hooks": [{"name": "form", "secret_env": "SHORT", "workflow": "nope", "auth": "basic"},
              {"name": "has space", "secret_env": "FORM_SECRET", "workflow": "w"}],
    "workflows": [{"name": "w", "tenant": "shop", "steps": [
      {"send": {"to": "owner", "text": "{{steps.2.output}}"}},
      {"llm": "x", "note": "y"},
      {"mail": "z"},
      {"http": {"url": "ftp://x", "method": "FETCH"}}]},
      {"name": "v", "tenant": "nobody", "steps": []}],
    "schedules": [{"name": "s", "cron": "0 25 * * *", "timezone": "Mars/Olympus", "workflow": "w"}])");
  std::vector<std::string> want{
    "workflows[0].steps[0].send.to: the workflow's tenant has no owner",
    "workflows[0].steps[0].send.text: the placeholder {{steps.2.output}} can never have a value"
    " here (use {{payload}}, {{payload.field}} or {{steps.N.output}} of an earlier step)",
    "workflows[0].steps[1]: a step has exactly one of llm, send, task, note, http, shell (this one has 2)",
    "workflows[0].steps[2]: a step has exactly one of llm, send, task, note, http, shell (this one has 0)",
    "workflows[0].steps[2].mail: unknown key",
    "workflows[0].steps[3].http.url: the workflow's tenant has no owner to approve the call",
    "workflows[0].steps[3].http.url: must be an http:// or https:// URL",
    "workflows[0].steps[3].http.method: must be one of GET, POST, PUT, PATCH, DELETE",
    "workflows[1].tenant: no tenant 'nobody' in this file",
    "workflows[1].steps: a workflow needs at least one step",
    "hooks[0].secret_env: the environment variable SHORT is not set or shorter than 16 characters",
    "hooks[0].auth: must be \"hmac\" or \"bearer\"",
    "hooks[0].workflow: no workflow 'nope'",
    "hooks[1].name: must be 1-64 letters, digits, '_' or '-' (it is the URL's last part)",
    "schedules[0].cron: hour field '25': values run from 0 to 23",
    "schedules[0].timezone: 'Mars/Olympus' is not a time zone (e.g. Europe/Amsterdam)"};
  std::sort(p.begin(), p.end());
  std::sort(want.begin(), want.end());
  CAF_CHECK_EQUAL(p, want);
}
