#include "protocol/approval_text.hpp"

namespace parley {

namespace {

bool dutch(const std::string& lang) { return lang == "nl"; }

/// The last `max_chars` code points of `text`, never cutting a character.
std::string tail(const std::string& text, size_t max_chars, bool& cut) {
  cut = false;
  size_t count = 0;
  size_t i = text.size();
  while (i > 0) {
    size_t start = i - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
      --start;
    if (++count > max_chars) {
      cut = true;
      return text.substr(i);
    }
    i = start;
  }
  return text;
}

} // namespace

std::string approval_prompt(const std::string& lang, int64_t id,
                            const std::string& summary) {
  auto n = std::to_string(id);
  if (dutch(lang))
    return "Goedkeuring nodig (" + n + "): ik wil dit uitvoeren:\n```" + summary
           + "```\nAntwoord *ja " + n + "* om het uit te voeren of *nee " + n
           + "* om het te weigeren.";
  return "Approval needed (" + n + "): I want to run:\n```" + summary
         + "```\nReply *approve " + n + "* (or *ja " + n + "*) to run it, or *deny "
         + n + "* to refuse.";
}

std::string shell_report(const std::string& lang, const std::string& summary,
                         const shell_outcome& o, size_t max_chars) {
  bool nl = dutch(lang);
  std::string head;
  if (!o.started)
    return (nl ? "`" + summary + "` kon niet starten: " : "`" + summary
                                                           + "` could not start: ")
           + o.error;
  if (o.timed_out)
    head = nl ? "`" + summary + "` duurde te lang en is gestopt."
              : "`" + summary + "` took too long and was stopped.";
  else if (o.truncated)
    head = nl ? "`" + summary + "` gaf te veel uitvoer en is gestopt."
              : "`" + summary + "` printed too much and was stopped.";
  else if (o.signal)
    head = "`" + summary + "` " + (nl ? "eindigde door signaal " : "ended by signal ")
           + std::to_string(o.signal) + ".";
  else
    head = "`" + summary + "` " + (nl ? "eindigde met code " : "exited with ")
           + std::to_string(o.exit_code) + ".";
  bool cut = false;
  auto shown = tail(o.output, max_chars, cut);
  while (!shown.empty() && (shown.back() == '\n' || shown.back() == ' '))
    shown.pop_back();
  if (shown.empty())
    return head + (nl ? " (geen uitvoer)" : " (no output)");
  return head + (cut ? (nl ? " Laatste deel van de uitvoer:" : " Last part of the output:")
                     : "")
         + "\n```" + shown + "```";
}

std::string denied_reply(const std::string& lang, const std::string& summary,
                         const std::string& reason) {
  if (dutch(lang))
    return "Niet uitgevoerd: `" + summary + "`. Reden: " + reason + ".";
  return "Not run: `" + summary + "`. Reason: " + reason + ".";
}

} // namespace parley
