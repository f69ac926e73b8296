#pragma once

// The system prompt of a business tenant, built from its configuration only:
// who the business is and how it speaks, its services with length and
// price, its opening hours and closed days in words, its address and rules,
// today's date and time in its zone, and the customer's name when known
// (letters only). No message text of a customer ever enters it.

#include "protocol/config.hpp"

#include <cstdint>
#include <string>

namespace parley {

std::string business_prompt(const tenant_config& t, int64_t now_ms,
                            const std::string& customer_name);

/// A customer's profile name reduced to what a name is made of: its first
/// two words of letters (any script), hyphens, apostrophes and dots, at most
/// 30 characters — too little to carry an instruction.
std::string safe_name(const std::string& name);

/// The opening hours in words, one line per day ("di 09:00–18:00").
std::string hours_in_words(const business_config& b, const std::string& lang);

} // namespace parley
