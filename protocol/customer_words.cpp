#include "protocol/customer_words.hpp"

#include "protocol/ascii_text.hpp"
#include "protocol/day_words.hpp"
#include "protocol/time_zone.hpp"

#include <algorithm>

namespace parley {

namespace {

bool closed_on(const business_config& b, const std::string& date) {
  return std::find(b.closed.begin(), b.closed.end(), date) != b.closed.end()
         || b.hours[static_cast<size_t>(tz::weekday(date))].empty();
}

} // namespace

customer_intent intent_of(const std::string& text) {
  auto w = lower(trim(text));
  while (!w.empty() && (w.back() == '!' || w.back() == '.'))
    w.pop_back();
  if (w == "stop" || w == "afmelden" || w == "unsubscribe")
    return customer_intent::opt_out;
  if (w == "start" || w == "aanmelden")
    return customer_intent::opt_in;
  if (w == "mens" || w == "medewerker" || w == "human" || w == "agent")
    return customer_intent::human;
  return customer_intent::none;
}

std::string opt_out_reply(const std::string& lang) {
  return lang == "nl" ? "Je bent afgemeld: we sturen je geen herinneringen of andere berichten "
                        "meer uit onszelf. Stuur START om je weer aan te melden."
                      : "You are unsubscribed: we will not message you on our own (reminders "
                        "included). Send START to subscribe again.";
}

std::string opt_in_reply(const std::string& lang) {
  return lang == "nl" ? "Je bent weer aangemeld: je krijgt weer herinneringen van ons."
                      : "You are subscribed again: you will get our reminders again.";
}

std::string next_opening(const business_config& b, const std::string& zone, int64_t now_ms) {
  auto today = tz::local_date(zone, now_ms);
  auto now = clock_minutes(tz::local_time(zone, now_ms));
  for (int d = 0; d < 14; ++d) {
    auto date = tz::add_days(today, d);
    if (closed_on(b, date))
      continue;
    for (auto& span : b.hours[static_cast<size_t>(tz::weekday(date))]) {
      if (d == 0 && now >= span.from && now < span.to)
        return "";
      if (d > 0 || now < span.from)
        return date + " " + clock_text(span.from);
    }
  }
  return "";
}

std::string handover_reply(const business_config& b, const std::string& zone, int64_t now_ms,
                           const std::string& lang) {
  bool nl = lang == "nl";
  auto next = next_opening(b, zone, now_ms);
  auto open_now = next.empty()
                  && !closed_on(b, tz::local_date(zone, now_ms));
  if (open_now)
    return nl ? "Ik heb een medewerker gevraagd je te helpen; je hoort zo van ons."
              : "I have asked a colleague to help you; you will hear from us shortly.";
  if (next.empty())
    return nl ? "Ik heb een medewerker gevraagd je te helpen; we nemen zo snel mogelijk contact op."
              : "I have asked a colleague to help you; we will be in touch as soon as we can.";
  auto day = next.substr(0, 10) == tz::local_date(zone, now_ms)
               ? std::string(nl ? "vandaag" : "today")
               : next.substr(0, 10) == tz::add_days(tz::local_date(zone, now_ms), 1)
                   ? std::string(nl ? "morgen" : "tomorrow")
                   : next.substr(0, 10);
  return nl ? "Ik heb een medewerker gevraagd je te helpen. We zijn nu gesloten; je hoort van ons "
              "vanaf " + day + " " + next.substr(11) + "."
            : "I have asked a colleague to help you. We are closed now; you will hear from us "
              "from " + day + " " + next.substr(11) + ".";
}

std::string handover_notice(const std::string& business, const std::string& number,
                            const std::string& name, const std::string& reason,
                            const std::string& last_messages, const std::string& lang) {
  bool nl = lang == "nl";
  auto who = name.empty() ? "+" + number : name + " (+" + number + ")";
  return (nl ? "Overdracht bij " : "Hand-over at ") + business + ": " + who
         + (nl ? " wil een medewerker spreken" : " wants to talk to a person")
         + (reason.empty() ? "" : " (" + reason + ")") + ".\n"
         + (nl ? "Laatste berichten:\n" : "Last messages:\n") + last_messages
         + (nl ? "\nDe bot zwijgt in dit gesprek tot het wordt hervat."
               : "\nThe bot stays silent in this chat until it is resumed.");
}

} // namespace parley
