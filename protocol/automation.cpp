#include "protocol/automation.hpp"

namespace parley {

std::string to_string(workflow_step::kind_t k) {
  switch (k) {
    case workflow_step::kind_t::llm: return "llm";
    case workflow_step::kind_t::send: return "send";
    case workflow_step::kind_t::task: return "task";
    case workflow_step::kind_t::note: return "note";
    case workflow_step::kind_t::http: return "http";
    case workflow_step::kind_t::shell: return "shell";
  }
  return "?";
}

const hook_config* automation_config::hook(const std::string& name) const {
  for (auto& h : hooks)
    if (h.name == name)
      return &h;
  return nullptr;
}

const workflow_config* automation_config::workflow(const std::string& name) const {
  for (auto& w : workflows)
    if (w.name == name)
      return &w;
  return nullptr;
}

} // namespace parley
