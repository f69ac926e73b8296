#include "protocol/booking_entry.hpp"

namespace parley {

namespace {

// Google's ids are base32hex (a-v, 0-9): "prlb" is; so is every number.
constexpr const char* google_prefix = "prlb";
constexpr const char* uid_prefix = "parley-booking-";

} // namespace

calendar_entry calendar_entry_of(const booking_record& b, const std::string& lang) {
  bool nl = lang == "nl";
  calendar_entry e;
  e.google_id = google_prefix + std::to_string(b.id);
  e.uid = uid_prefix + std::to_string(b.id);
  auto who = b.customer_name.empty() ? "+" + b.customer : b.customer_name;
  e.summary = b.service + ": " + who;
  if (b.status == "pending")
    e.summary += nl ? " (wacht op bevestiging)" : " (awaiting confirmation)";
  e.description = (nl ? "Geboekt via WhatsApp (boeking " : "Booked on WhatsApp (booking ")
                  + std::to_string(b.id) + ").\n" + (nl ? "Klant: " : "Customer: ")
                  + (b.customer_name.empty() ? "" : b.customer_name + " ") + "+" + b.customer;
  if (!b.price.empty())
    e.description += "\n" + std::string(nl ? "Prijs: " : "Price: ") + b.price;
  return e;
}

bool is_booking_entry(const std::string& id_or_uid) {
  // The prefix and the booking's number, nothing else: Google's own ids are
  // random base32hex and could begin like ours.
  auto is = [&](const std::string& prefix) {
    if (id_or_uid.size() <= prefix.size() || id_or_uid.rfind(prefix, 0) != 0)
      return false;
    return id_or_uid.find_first_not_of("0123456789", prefix.size()) == std::string::npos;
  };
  return is(google_prefix) || is(uid_prefix);
}

} // namespace parley
