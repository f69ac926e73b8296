#pragma once

// A workflow step's template over its event: `{{payload}}` (the body as
// JSON), `{{payload.a.b}}` (a field; text as is, other values as JSON) and
// `{{steps.N.output}}` (step N's output, N from 1). A field that is missing
// or null becomes the empty string and is reported, so the step can record
// it. Text that is not a placeholder (a lone "{{" included) is kept. Pure.

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace parley::workflow {

enum class escaping {
  none,  ///< text for people and the model
  json,  ///< inside a JSON string: quotes, backslashes and controls escaped
};

struct expansion {
  std::string text;
  std::vector<std::string> missing;  ///< the placeholders that had no value
};

expansion expand(const std::string& tpl, const nlohmann::json& payload,
                 const std::vector<std::string>& outputs, escaping esc = escaping::none);

/// The placeholders of `tpl` that can never have a value, whatever the
/// payload: an unknown root, a step that is not before `step` (1-based).
std::vector<std::string> invalid_placeholders(const std::string& tpl, size_t step);

} // namespace parley::workflow
