#include "protocol/staff_reply.hpp"

#include "protocol/ascii_text.hpp"

#include <cctype>

namespace parley {

std::optional<staff_reply> staff_reply_of(const std::string& message) {
  auto text = std::string(trim(message));
  auto space = text.find_first_of(" \t");
  if (space == std::string::npos)
    return std::nullopt;
  auto word = lower(text.substr(0, space));
  if (word != "reply" && word != "antwoord")
    return std::nullopt;
  auto rest = std::string(trim(text.substr(space)));
  auto end = rest.find_first_of(" \t\r\n");
  if (end == std::string::npos)
    return std::nullopt;
  staff_reply out;
  auto token = rest.substr(0, end);
  for (size_t i = 0; i < token.size(); ++i) {
    char c = token[i];
    if (std::isdigit(static_cast<unsigned char>(c)))
      out.number += c;
    else if (!(c == '-' || (c == '+' && i == 0)))
      return std::nullopt;
  }
  if (out.number.size() < 6 || out.number.size() > 20)
    return std::nullopt;
  out.text = std::string(trim(rest.substr(end)));
  if (out.text.empty())
    return std::nullopt;
  return out;
}

std::string staff_reply_words(staff_reply_outcome outcome, const std::string& number,
                              const std::string& lang) {
  bool nl = lang == "nl";
  switch (outcome) {
    case staff_reply_outcome::sent:
      return nl ? "Verstuurd aan +" + number + "." : "Sent to +" + number + ".";
    case staff_reply_outcome::unknown_customer:
      return nl ? "+" + number + " heeft dit nummer nog nooit geschreven; er is niets verstuurd."
                : "+" + number + " has never written to this number; nothing was sent.";
    case staff_reply_outcome::window_closed:
      return nl ? "+" + number + " schreef meer dan 24 uur geleden: WhatsApp staat dan alleen"
                  " goedgekeurde sjablonen toe. Er is niets verstuurd."
                : "+" + number + " last wrote more than 24 hours ago: WhatsApp then allows only"
                  " approved templates. Nothing was sent.";
  }
  return "";
}

} // namespace parley
