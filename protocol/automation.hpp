#pragma once

// What a builder wires in (DESIGN "Workflows"): trigger hooks that store an
// event, workflows that run a few steps over it, and schedules that start a
// workflow at cron times. Read from the config by automation_reader.

#include <optional>
#include <string>
#include <vector>

namespace parley {

/// POST /hooks/{name}: authenticated by an HMAC-SHA256 signature of the raw
/// body (`X-Signature-256`) or a bearer secret.
struct hook_config {
  std::string name;
  std::string secret;          ///< from secret_env
  std::string auth = "hmac";   ///< or "bearer"
  std::string workflow;
  std::string id_pointer;      ///< a JSON pointer to an id in the body that
                               ///< de-duplicates like Idempotency-Key; "": none
};

struct workflow_step {
  enum class kind_t { llm, send, task, note, http, shell };
  kind_t kind = kind_t::llm;
  /// The template: the llm prompt, the send text ("" = the previous step's
  /// output), the task title, the note, the http body; the shell command.
  std::string text;
  std::optional<std::string> fallback;  ///< llm: the text when the model fails
  std::string to;                       ///< send: "owner" or a number
  std::string url;                      ///< http
  std::string method = "POST";          ///< http
};

std::string to_string(workflow_step::kind_t k);

struct workflow_config {
  std::string name;
  std::string tenant;  ///< whose policy, owner and 24-hour rules apply
  std::vector<workflow_step> steps;
};

struct schedule_config {
  std::string name;
  std::string cron;
  std::string timezone = "UTC";
  std::string workflow;
  bool catch_up = false;  ///< a firing missed while parley was down runs at start
};

struct automation_config {
  std::vector<hook_config> hooks;
  std::vector<workflow_config> workflows;
  std::vector<schedule_config> schedules;
  std::string context_dir;        ///< the markdown context hub; "" = <data_dir>/context
  int max_attempts = 5;           ///< workflow_max_attempts: per step
  int backoff_ms = 1000;          ///< workflow_backoff_ms: the first retry's delay, doubling

  const hook_config* hook(const std::string& name) const;
  const workflow_config* workflow(const std::string& name) const;
};

} // namespace parley
