#pragma once

// A booking as parley keeps it, and how it is said: the confirmation a
// customer reads (service, day, date, time, price) and the JSON a booking
// tool gives the model.

#include "protocol/business.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace parley {

struct booking_record {
  int64_t id = 0;
  std::string tenant;
  std::string service;
  std::string customer;       ///< the customer's number (or JID)
  std::string customer_name;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string price;
  std::string status;         ///< confirmed, pending, cancelled
  int64_t created_ms = 0;
};

/// A booking tool call for the booking desk: who asks (a customer sees and
/// changes only their own bookings; staff and the owner all of them).
struct booking_call {
  std::string tenant;
  std::string customer;       ///< the sender's number
  std::string customer_name;  ///< their profile name
  bool staff = false;
  std::string tool;
  std::string arguments;      ///< the model's JSON
  bool api = false;           ///< from /api/bookings: bookings in the API's shape
};

/// "Knippen op woensdag 2 december 10:00–10:30, 25 EUR" (or in English).
std::string booking_words(const booking_record& b, const std::string& zone,
                          const std::string& lang);

/// The reminder a customer reads before the appointment: who it is from,
/// the booking's words, and how to move or cancel it.
std::string reminder_words(const booking_record& b, const std::string& business,
                           const std::string& zone, const std::string& lang);

/// The reminder template's body parameters: {{1}} the business's name,
/// {{2}} the booking's words ("Knippen op woensdag 2 december 10:00–10:30,
/// 25 EUR").
std::vector<std::string> reminder_params(const booking_record& b, const std::string& business,
                                         const std::string& zone, const std::string& lang);

/// approve_bookings: what the owner approves, "Knippen op woensdag 2
/// december 10:00–10:30, 25 EUR voor Anna de Vries (+31600000001)".
std::string booking_approval_summary(const booking_record& b, const std::string& zone,
                                     const std::string& lang);

/// What became of a held booking, as the customer reads it.
enum class booking_verdict { confirmed, declined, expired };
std::string booking_verdict_words(booking_verdict v, const booking_record& b,
                                  const std::string& business, const std::string& zone,
                                  const std::string& lang);

/// "2026-12-02 10:00" in `zone`.
std::string local_stamp(int64_t utc_ms, const std::string& zone);

/// A local "YYYY-MM-DD HH:MM" (or RFC 3339 with an offset) as an instant;
/// false when it is neither.
bool parse_local_stamp(const std::string& text, const std::string& zone, int64_t& out);

/// A booking as a tool result: id, service, start, end, price, status and
/// the confirmation words.
nlohmann::json booking_json(const booking_record& b, const std::string& zone,
                            const std::string& lang);

/// A booking as /api/bookings shows it: id, tenant, service, start and end
/// (RFC 3339), customer {number, name}, status, created_at.
nlohmann::json booking_api_json(const booking_record& b);

} // namespace parley
