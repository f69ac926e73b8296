#pragma once

// A business tenant's own words and rules, as the `business` block of its
// configuration states them: what it offers, when it is open, how bookings
// work, who its staff are.

#include "protocol/calendar_source.hpp"

#include <array>
#include <string>
#include <vector>

namespace parley {

/// A WhatsApp message template, for business-initiated messages outside
/// Meta's 24-hour window.
struct template_ref {
  std::string name;
  std::string language;
  bool configured() const { return !name.empty(); }
};

struct service_offer {
  std::string name;
  int minutes = 30;
  std::string price;  ///< as the business writes it ("25 EUR")
};

/// Open from `from` to `to`, minutes after local midnight.
struct opening_span {
  int from = 0;
  int to = 0;
};

struct business_config {
  bool enabled = false;  ///< the tenant has a business block
  std::string name;
  std::string tone;
  std::string address;
  std::string rules;  ///< the owner's words for the prompt
  std::vector<service_offer> services;
  std::array<std::vector<opening_span>, 7> hours;  ///< 0 = Monday
  std::vector<std::string> closed;                 ///< local dates
  int max_concurrent = 1;
  int slot_minutes = 15;
  int min_notice_minutes = 60;
  int horizon_days = 60;
  /// Where bookings show: parley's own database alone, or also an external
  /// calendar (google, caldav) whose other events block their time.
  calendar_source calendar{"parley"};
  std::vector<std::string> staff;
  bool approve_bookings = false;
  int handover_timeout_h = 24;  ///< a handed-over chat speaks again after this
  template_ref handover_template;  ///< the notice to staff outside the 24-hour window
  /// Each booking's one reminder, this long before it starts (0: none);
  /// outside the customer's 24-hour window it goes as the template.
  int reminder_hours_before = 0;
  template_ref reminder_template;

  /// The service called `name` (letter case ignored), or null.
  const service_offer* service(const std::string& name) const;
};

} // namespace parley
