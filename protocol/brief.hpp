#pragma once

// The morning brief: the LLM's request under hard constraints, the check of
// its answer, and the deterministic template that always works.

#include "protocol/live_data.hpp"
#include "protocol/types.hpp"

#include <string>
#include <vector>

namespace parley::brief {

constexpr int max_words = 300;

/// The connectors in the brief's order.
const std::vector<std::string>& sections();

/// The request that asks the model to compose the brief from `reports`
/// (given as data in the user message, never in the system prompt).
llm_request compose_request(const std::vector<connector_report>& reports,
                            const std::string& date, const std::string& lang);

/// Why `text` is not an acceptable brief ("" when it is): plain text, at
/// most 300 words, ending with exactly three numbered priorities.
std::string invalid_reason(const std::string& text);

/// The brief without a model: each section in a few lines, then three
/// priorities taken from the data (filled up with sensible defaults).
std::string render_template(const std::vector<connector_report>& reports,
                            const std::string& date, const std::string& lang);

/// The heading of a section ("Agenda", "Mail", "Opvolgen", ...).
std::string section_title(const std::string& connector, const std::string& lang);

} // namespace parley::brief
