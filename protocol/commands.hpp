#pragma once

// The deterministic command grammar (no LLM) and the replies it produces, in
// Dutch or English. Command words are case-insensitive and surrounding
// whitespace is ignored.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

enum class command_kind {
  none,          ///< not a command: free text for the LLM
  help,          ///< help / hulp
  add_task,      ///< taak: <title> / task: <title>
  list_tasks,    ///< taken / tasks
  complete_task, ///< klaar <nr> / done <nr>
  usage,         ///< a command word with a missing or bad argument
  shell,         ///< shell: <command> / sh: <command> (title holds it)
  approve,       ///< ja|yes|ok|approve [nr]  (number 0: the only pending one)
  deny,          ///< nee|no|deny [nr]
  agenda,        ///< agenda|calendar [morgen|tomorrow] (day: 0 or 1)
  inbox,         ///< inbox / mail
  followups,     ///< followups
  weather,       ///< weer|weather [morgen|tomorrow]
  github,        ///< github
  brief,         ///< brief / ochtend / goedemorgen / briefing
  plan,          ///< plan: <what> <when> (title holds the rest)
  draft,         ///< draft: <instruction> (title holds it): a mail reply
};

struct command {
  command_kind kind = command_kind::none;
  std::string title;  ///< add_task
  int number = 0;     ///< complete_task: 1-based position; approve/deny: id
  std::string word;   ///< usage: the command word that was misused
  int day = 0;        ///< agenda, weather: days after today
};

command parse_command(std::string_view text);

// -- replies ---------------------------------------------------------------

std::string help_reply(const std::string& lang);
std::string task_added_reply(const std::string& lang, int number,
                             const std::string& title);
std::string task_list_reply(const std::string& lang,
                            const std::vector<std::string>& titles);
std::string task_done_reply(const std::string& lang, int number,
                            const std::string& title);
std::string no_such_task_reply(const std::string& lang, int number,
                               std::size_t open_count);
std::string usage_reply(const std::string& lang, const std::string& word);

/// The answer when the LLM is not configured or failed: says so and lists
/// the commands, so that nobody is left without an answer.
std::string fallback_reply(const std::string& lang, bool llm_configured);

/// The answer to a message without text (a voice note, a sticker, ...).
std::string no_text_reply(const std::string& lang, const std::string& kind);

} // namespace parley
