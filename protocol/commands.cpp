#include "protocol/commands.hpp"

#include "protocol/ascii_text.hpp"

#include <cctype>
#include <optional>

namespace parley {

namespace {

bool is(const std::string& word, std::initializer_list<const char*> names) {
  for (auto n : names)
    if (word == n)
      return true;
  return false;
}

bool nl(const std::string& lang) { return lang == "nl"; }

/// A number of at most `max_digits` digits and nothing else. The length is
/// checked first: fuzz_command found that "ja 1211…" overflowed int.
std::optional<int> number_of(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits)
    return std::nullopt;
  int n = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

} // namespace

command parse_command(std::string_view text) {
  command cmd;
  auto t = trim(text);
  // "taak: <title>" — the word before the first colon.
  if (auto colon = t.find(':'); colon != std::string_view::npos) {
    auto word = lower(trim(t.substr(0, colon)));
    if (is(word, {"shell", "sh"})) {
      // Kept as typed (inner line breaks too): the gate judges it.
      cmd.title = std::string(trim(t.substr(colon + 1)));
      cmd.kind = cmd.title.empty() ? command_kind::usage : command_kind::shell;
      if (cmd.title.empty())
        cmd.word = word;
      return cmd;
    }
    if (word == "plan" || is(word, {"draft", "concept"})) {
      cmd.title = std::string(trim(t.substr(colon + 1)));
      auto kind = word == "plan" ? command_kind::plan : command_kind::draft;
      cmd.kind = cmd.title.empty() ? command_kind::usage : kind;
      if (cmd.title.empty())
        cmd.word = word;
      return cmd;
    }
    if (is(word, {"taak", "task"})) {
      auto title = trim(t.substr(colon + 1));
      if (title.empty()) {
        cmd.kind = command_kind::usage;
        cmd.word = word;
      } else {
        cmd.kind = command_kind::add_task;
        cmd.title = std::string(title);
      }
      return cmd;
    }
  }
  auto space = t.find_first_of(" \t\r\n");
  auto word = lower(t.substr(0, space));
  auto rest = space == std::string_view::npos ? std::string_view{}
                                              : trim(t.substr(space));
  bool yes = is(word, {"ja", "yes", "ok", "approve"});
  if (yes || is(word, {"nee", "no", "deny"})) {
    // "ja 12", or a bare "ja" for the only pending approval; "ok thanks" is
    // not a command.
    if (auto n = rest.empty() ? std::optional<int>(0) : number_of(rest, 9)) {
      cmd.kind = yes ? command_kind::approve : command_kind::deny;
      cmd.number = *n;
    }
    return cmd;
  }
  auto day_of = [&](std::string_view r) -> std::optional<int> {
    auto w = lower(r);
    if (w.empty() || is(w, {"vandaag", "today"}))
      return 0;
    if (is(w, {"morgen", "tomorrow"}))
      return 1;
    return std::nullopt;  // "agenda voor de vergadering ..." is free text
  };
  if (is(word, {"agenda", "calendar", "weer", "weather"})) {
    if (auto d = day_of(rest)) {
      cmd.kind = is(word, {"agenda", "calendar"}) ? command_kind::agenda
                                                  : command_kind::weather;
      cmd.day = *d;
    }
    return cmd;
  }
  if (rest.empty()) {
    if (is(word, {"inbox", "mail"}))
      cmd.kind = command_kind::inbox;
    else if (is(word, {"followups", "follow-ups", "opvolgen"}))
      cmd.kind = command_kind::followups;
    else if (word == "github")
      cmd.kind = command_kind::github;
    else if (is(word, {"brief", "briefing", "ochtend", "goedemorgen"}))
      cmd.kind = command_kind::brief;
    if (cmd.kind != command_kind::none)
      return cmd;
  }
  if (is(word, {"help", "hulp"}) && rest.empty()) {
    cmd.kind = command_kind::help;
  } else if (is(word, {"taken", "tasks"}) && rest.empty()) {
    cmd.kind = command_kind::list_tasks;
  } else if (is(word, {"klaar", "done"})) {
    if (auto n = number_of(rest, 6); n && *n > 0) {
      cmd.kind = command_kind::complete_task;
      cmd.number = *n;
    } else if (rest.empty() || rest.find(' ') == std::string_view::npos) {
      // "klaar" or "done x": a command word with a bad argument. Longer
      // sentences ("done with the report, what next?") are free text.
      cmd.kind = command_kind::usage;
      cmd.word = word;
    }
  }
  return cmd;
}

std::string help_reply(const std::string& lang) {
  if (nl(lang))
    return "Dit kan ik zonder AI:\n"
           "• *taak: <titel>* — taak toevoegen\n"
           "• *taken* — open taken tonen\n"
           "• *klaar <nr>* — taak afvinken\n"
           "• *shell: <opdracht>* — opdracht op de server (alleen de eigenaar;"
           " alles wat niet alleen leest vraagt eerst goedkeuring)\n"
           "• *ja <nr>* / *nee <nr>* — goedkeuring geven of weigeren\n"
           "• *agenda* [morgen], *inbox*, *followups*, *weer* [morgen], *github*"
           " — live gegevens\n"
           "• *brief* — de ochtendbrief nu\n"
           "• *plan: <wat> <wanneer>* — afspraak in de agenda (na goedkeuring)\n"
           "• *draft: <opdracht>* — antwoord op een mail, bijv. draft: antwoord Jan over de"
           " factuur (na goedkeuring)\n"
           "• *hulp* — dit overzicht\n"
           "Andere vragen beantwoord ik met het taalmodel, als dat er is.";
  return "What I can do without AI:\n"
         "• *task: <title>* — add a task\n"
         "• *tasks* — list open tasks\n"
         "• *done <nr>* — complete a task\n"
         "• *shell: <command>* — run a command on the server (owner only;"
         " anything not read-only asks for approval first)\n"
         "• *approve <nr>* / *deny <nr>* — decide on an approval\n"
         "• *agenda* [tomorrow], *inbox*, *followups*, *weather* [tomorrow],"
         " *github* — live data\n"
         "• *brief* — the morning brief now\n"
         "• *plan: <what> <when>* — an event in the calendar (after approval)\n"
         "• *draft: <instruction>* — a reply to a mail, e.g. draft: reply to Jan about the"
         " invoice (after approval)\n"
         "• *help* — this overview\n"
         "Other questions go to the language model, when one is configured.";
}

std::string task_added_reply(const std::string& lang, int number,
                             const std::string& title) {
  auto n = std::to_string(number);
  return nl(lang) ? "Taak " + n + " toegevoegd: " + title
                  : "Task " + n + " added: " + title;
}

std::string task_list_reply(const std::string& lang,
                            const std::vector<std::string>& titles) {
  if (titles.empty())
    return nl(lang) ? "Geen open taken." : "No open tasks.";
  std::string out = nl(lang) ? "Open taken:" : "Open tasks:";
  for (std::size_t i = 0; i < titles.size(); ++i)
    out += "\n" + std::to_string(i + 1) + ". " + titles[i];
  return out;
}

std::string task_done_reply(const std::string& lang, int number,
                            const std::string& title) {
  auto n = std::to_string(number);
  return nl(lang) ? "Taak " + n + " afgerond: " + title
                  : "Task " + n + " done: " + title;
}

std::string no_such_task_reply(const std::string& lang, int number,
                               std::size_t open_count) {
  auto n = std::to_string(number);
  auto c = std::to_string(open_count);
  return nl(lang) ? "Er is geen taak " + n + " (" + c + " open). Stuur *taken*."
                  : "There is no task " + n + " (" + c
                      + " open). Send *tasks*.";
}

std::string usage_reply(const std::string& lang, const std::string& word) {
  if (word == "taak" || word == "task")
    return nl(lang) ? "Gebruik: *taak: <titel>*" : "Usage: *task: <title>*";
  if (word == "shell" || word == "sh")
    return nl(lang) ? "Gebruik: *shell: <opdracht>*" : "Usage: *shell: <command>*";
  if (word == "plan")
    return nl(lang) ? "Gebruik: *plan: <wat> <wanneer>*, bijv. plan: overleg met Sara vrijdag 14:00"
                    : "Usage: *plan: <what> <when>*, e.g. plan: call with Sara friday 14:00";
  if (word == "draft" || word == "concept")
    return nl(lang) ? "Gebruik: *draft: <opdracht>*, bijv. draft: antwoord Jan over de factuur"
                    : "Usage: *draft: <instruction>*, e.g. draft: reply to Jan about the invoice";
  return nl(lang) ? "Gebruik: *klaar <nr>* (zie *taken*)"
                  : "Usage: *done <nr>* (see *tasks*)";
}

std::string fallback_reply(const std::string& lang, bool llm_configured) {
  std::string why;
  if (nl(lang))
    why = llm_configured ? "Het taalmodel is nu niet bereikbaar, dus ik kan "
                           "deze vraag niet beantwoorden.\n\n"
                         : "Er is geen taalmodel ingesteld, dus ik kan "
                           "alleen opdrachten uitvoeren.\n\n";
  else
    why = llm_configured ? "The language model is not reachable right now, "
                           "so I cannot answer this question.\n\n"
                         : "No language model is configured, so I can only "
                           "run commands.\n\n";
  return why + help_reply(lang);
}

std::string no_text_reply(const std::string& lang, const std::string& kind) {
  return nl(lang) ? "Ik kan nog alleen tekst lezen (dit was: " + kind
                      + "). Stuur *hulp* voor de opdrachten."
                  : "I can only read text for now (this was: " + kind
                      + "). Send *help* for the commands.";
}

} // namespace parley
