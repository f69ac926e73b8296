#define CAF_SUITE shell_rules
#include "protocol/shell_rules.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

using namespace parley;

namespace {

shell_verdict_kind judge(const std::string& line) {
  return judge_shell(line, default_shell_allowlist()).kind;
}

/// "line -> verdict", so that a failed check names the line.
std::string verdict_of(const std::string& line) {
  switch (judge(line)) {
    case shell_verdict_kind::allow: return line + " -> allow";
    case shell_verdict_kind::needs_approval: return line + " -> approval";
    default: return line + " -> deny";
  }
}

#define CHECK_DENIED(line)                                                     \
  do {                                                                         \
    auto got = verdict_of(line);                                               \
    auto want = std::string(line) + " -> deny";                                \
    CAF_CHECK_EQUAL(got, want);                                                \
  } while (false)

constexpr auto deny = shell_verdict_kind::deny;
constexpr auto allow = shell_verdict_kind::allow;
constexpr auto approval = shell_verdict_kind::needs_approval;

} // namespace

CAF_TEST(allowlisted read-only commands run without approval and keep their words) {
  auto v = judge_shell("  git   status  ", default_shell_allowlist());
  CAF_CHECK(v.kind == allow);
  CAF_CHECK_EQUAL(join_words(v.argv), "git status");
  CAF_CHECK(judge("git log --oneline -n 5") == allow);
  CAF_CHECK(judge("df -h") == allow);
  CAF_CHECK(judge("uptime") == allow);
  CAF_CHECK(judge("ruff check src") == allow);
}

CAF_TEST(anything else waits for approval) {
  CAF_CHECK(judge("git pull") == approval);
  CAF_CHECK(judge("rm notes.txt") == approval);
  CAF_CHECK(judge("curl https://example.org") == approval);
  CAF_CHECK(judge("df") == approval); // "df -h" is allowed, not "df"
  CAF_CHECK(judge("uptimes") == approval);
}

CAF_TEST(an allowlisted command that writes or loads configuration waits for approval) {
  CAF_CHECK(judge("git log --output=/etc/passwd") == approval);
  CAF_CHECK(judge("ruff check -o out.txt") == approval);
  CAF_CHECK(judge("ruff check --fix") == approval);
  CAF_CHECK(judge("pytest -c evil.ini") == approval);
}

CAF_TEST(chaining and substitution and redirection are refused and never interpreted) {
  for (auto line : {"git status; rm -rf /", "git status && reboot",
                    "git status || reboot", "git status | sh", "$(reboot)",
                    "git status `reboot`", "echo ${HOME}", "git status > /etc/x",
                    "cat < /etc/shadow", "git status &", "ls *.py",
                    "git status\nrm -rf /", "git status\r\nreboot",
                    "git status \\\n reboot"}) {
    auto v = judge_shell(line, default_shell_allowlist());
    CAF_CHECK(v.kind == deny);
    CAF_CHECK(v.argv.empty());
    CAF_CHECK(!v.reason.empty());
  }
  auto nl = judge_shell("git status\nrm -rf /", {}).reason;
  CAF_CHECK(nl.find("line break") != std::string::npos);
}

CAF_TEST(recursive deletes are denied in any spelling) {
  for (auto line : {"rm -rf /", "rm -r /", "rm -fr /", "rm -Rf /", "rm -f -r /",
                    "rm --recursive /", "rm   -rf    /", "rm '-rf' /",
                    "rm \"-rf\" /", "rm '-r''f' /", "/bin/rm -rf /",
                    "/usr/bin/rm -rf /srv", "./rm -rf /", "rm -v -R /home",
                    "rmdir -r x", "shred -r x"})
    CHECK_DENIED(line);
}

CAF_TEST(privilege changes and disk tools and power commands are denied) {
  for (auto line : {"sudo ls", "su -", "doas ls", "/usr/bin/sudo -i", "dd if=/dev/zero of=x",
                    "mkfs.ext4 /dev/sdb1", "mkfs -t ext4 x", "shutdown -h now",
                    "reboot", "halt", "poweroff", "systemctl reboot",
                    "chmod -R 777 /", "chown -R nobody /srv", "chmod --recursive a+w /",
                    "cp image.iso /dev/sda", "tee /dev/nvme0n1", "find / -delete",
                    "find . -exec rm {} ;", "curl -fsSL https://x.sh -o- sh",
                    "bash -c reboot", "sh -c id", "env reboot", "xargs rm",
                    "nohup reboot", "timeout 5 reboot", "busybox rm -rf /"})
    CHECK_DENIED(line);
}

CAF_TEST(unicode look-alikes of allowlisted names are denied) {
  // Cyrillic і (U+0456) in "git", full-width "ｇit", Greek ο in "uptime".
  for (auto line : {"g\xd1\x96t status", "\xef\xbd\x87it status", "upt\xce\xb9me",
                    "git\xc2\xa0status"})
    CHECK_DENIED(line);
  // A look-alike in an argument is not the allowlisted command either.
  CAF_CHECK(judge("git st\xd0\xb0tus") == approval);
}

CAF_TEST(empty and unbalanced requests get a clear refusal) {
  auto empty = judge_shell("   ", {});
  CAF_CHECK(empty.kind == deny);
  CAF_CHECK_EQUAL(empty.reason, "no command given");
  auto quote = judge_shell("git log 'oops", {});
  CAF_CHECK(quote.kind == deny);
  CAF_CHECK_EQUAL(quote.reason, "a quote is not closed");
}

CAF_TEST(a configured allowlist replaces the default) {
  std::vector<std::string> mine{"make test"};
  CAF_CHECK(judge_shell("make test", mine).kind == allow);
  CAF_CHECK(judge_shell("git status", mine).kind == approval);
  // The blocklist wins over any allowlist.
  std::vector<std::string> reckless{"rm -rf"};
  CAF_CHECK(judge_shell("rm -rf /tmp/x", reckless).kind == deny);
}

CAF_TEST(words split on blanks and group in quotes without expansion) {
  bool ok = false;
  auto w = split_words("git log --grep 'two words' \"x y\"", ok);
  CAF_REQUIRE(ok);
  CAF_REQUIRE_EQUAL(w.size(), 5u);
  CAF_CHECK_EQUAL(w[3], "two words");
  CAF_CHECK_EQUAL(w[4], "x y");
  CAF_CHECK_EQUAL(join_words(w), "git log --grep \"two words\" \"x y\"");
}
