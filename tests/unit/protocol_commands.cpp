#define CAF_SUITE commands
#include "protocol/commands.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

using namespace parley;

CAF_TEST(command words are recognised in Dutch and English in any case) {
  CAF_CHECK(parse_command("help").kind == command_kind::help);
  CAF_CHECK(parse_command("  HULP \n").kind == command_kind::help);
  CAF_CHECK(parse_command("Taken").kind == command_kind::list_tasks);
  CAF_CHECK(parse_command("tasks").kind == command_kind::list_tasks);
}

CAF_TEST(a task title keeps its own spelling) {
  auto c = parse_command(" TAAK:  Bel de Accountant  ");
  CAF_CHECK(c.kind == command_kind::add_task);
  CAF_CHECK_EQUAL(c.title, "Bel de Accountant");
  auto tight = parse_command("task:x");
  CAF_CHECK_EQUAL(tight.title, "x");
}

CAF_TEST(done takes a positive number) {
  auto c = parse_command("klaar 2");
  CAF_CHECK(c.kind == command_kind::complete_task);
  CAF_CHECK_EQUAL(c.number, 2);
  auto upper = parse_command("DONE 12");
  CAF_CHECK_EQUAL(upper.number, 12);
  CAF_CHECK(parse_command("klaar").kind == command_kind::usage);
  CAF_CHECK(parse_command("klaar 0").kind == command_kind::usage);
  CAF_CHECK(parse_command("done x").kind == command_kind::usage);
  CAF_CHECK(parse_command("taak:").kind == command_kind::usage);
}

// Found by fuzz_command: "shell:" used to reach the gate as an empty command.
CAF_TEST(a shell command without a command gets its usage) {
  auto bare = parse_command("shell:  ");
  CAF_CHECK(bare.kind == command_kind::usage);
  CAF_CHECK_EQUAL(usage_reply("en", bare.word), "Usage: *shell: <command>*");
  CAF_CHECK_EQUAL(usage_reply("nl", parse_command("sh:").word),
                  "Gebruik: *shell: <opdracht>*");
}

// Found by fuzz_command: a long number overflowed int (undefined behaviour).
CAF_TEST(numbers too long to be an id are free text) {
  CAF_CHECK(parse_command("ja 1211222122121212").kind == command_kind::none);
  CAF_CHECK(parse_command("klaar 12333333333333333333333").kind
            == command_kind::usage);
  auto longest = parse_command("ja 999999999");
  CAF_CHECK(longest.kind == command_kind::approve);
  CAF_CHECK_EQUAL(longest.number, 999999999);
}

CAF_TEST(sentences that merely start with a command word are free text) {
  CAF_CHECK(parse_command("help me write an email").kind == command_kind::none);
  CAF_CHECK(parse_command("done with the report, what next?").kind
            == command_kind::none);
  CAF_CHECK(parse_command("what are my tasks?").kind == command_kind::none);
  CAF_CHECK(parse_command("").kind == command_kind::none);
}

CAF_TEST(replies follow the tenant language) {
  CAF_CHECK_EQUAL(task_added_reply("nl", 3, "x"), "Taak 3 toegevoegd: x");
  CAF_CHECK_EQUAL(task_added_reply("en", 3, "x"), "Task 3 added: x");
  CAF_CHECK_EQUAL(task_list_reply("nl", {}), "Geen open taken.");
  CAF_CHECK_EQUAL(task_list_reply("en", {"a", "b"}), "Open tasks:\n1. a\n2. b");
  CAF_CHECK(fallback_reply("en", false).find("No language model") == 0);
  CAF_CHECK(fallback_reply("nl", true).find("niet bereikbaar") != std::string::npos);
}
