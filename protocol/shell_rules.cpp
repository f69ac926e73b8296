#include "protocol/shell_rules.hpp"

#include <algorithm>
#include <array>

namespace parley {

namespace {

shell_verdict deny(std::string reason) {
  return {shell_verdict_kind::deny, {}, std::move(reason)};
}

/// Characters a shell would interpret; none of them is, so a request that
/// contains one cannot mean what it says and is refused outright.
constexpr std::string_view metacharacters = ";&|`$<>\n\r\\(){}*?[]~!#";

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string basename_of(const std::string& word) {
  auto slash = word.rfind('/');
  return slash == std::string::npos ? word : word.substr(slash + 1);
}

bool plain_ascii(const std::string& word) {
  return std::all_of(word.begin(), word.end(), [](unsigned char c) {
    return c >= 0x21 && c < 0x7f;
  });
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

/// A short option cluster (`-rf`, `-Rv`) or long option naming recursion.
bool recursive_flag(const std::string& word) {
  if (word == "--recursive" || starts_with(word, "--recursive="))
    return true;
  if (word.size() < 2 || word[0] != '-' || word[1] == '-')
    return false;
  return word.find_first_of("rR") != std::string::npos;
}

bool block_device(const std::string& word) {
  static constexpr std::array<std::string_view, 10> devices{
    "/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", "/dev/nvme",
    "/dev/mmcblk", "/dev/dm-", "/dev/mapper/", "/dev/loop", "/dev/md"};
  auto path = word;
  if (auto eq = word.find('='); eq != std::string::npos)
    path = word.substr(eq + 1); // dd-style of=/dev/sda
  return std::any_of(devices.begin(), devices.end(),
                     [&](std::string_view d) { return starts_with(path, d); });
}

/// Why a command is on the blocklist, or "" when it is not.
std::string blocked(const std::vector<std::string>& argv) {
  auto name = basename_of(argv[0]);
  auto any_arg = [&](auto pred) {
    return std::any_of(argv.begin() + 1, argv.end(), pred);
  };
  static constexpr std::array<std::string_view, 4> elevate{"sudo", "su", "doas",
                                                           "pkexec"};
  static constexpr std::array<std::string_view, 6> power{
    "shutdown", "reboot", "halt", "poweroff", "init", "telinit"};
  static constexpr std::array<std::string_view, 11> shells{
    "sh", "bash", "dash", "zsh", "ksh", "fish", "csh", "tcsh", "busybox",
    "eval", "exec"};
  static constexpr std::array<std::string_view, 10> wrappers{
    "env", "nice", "nohup", "timeout", "xargs", "stdbuf", "time", "command",
    "setsid", "chroot"};
  auto in = [&](const auto& list) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  if (in(elevate))
    return "'" + name + "' changes privileges and is never run";
  if (in(power))
    return "'" + name + "' stops the machine and is never run";
  if (in(shells))
    return "'" + name + "' would run a shell, and commands never go through one";
  if (in(wrappers))
    return "'" + name + "' runs another command out of sight and is never run";
  if (name == "dd")
    return "'dd' writes raw devices and is never run";
  if (name == "mkfs" || starts_with(name, "mkfs.") || name == "mke2fs"
      || name == "wipefs" || name == "fdisk" || name == "parted")
    return "'" + name + "' formats disks and is never run";
  if (name == "systemctl"
      && any_arg([](const std::string& a) {
           return a == "poweroff" || a == "reboot" || a == "halt"
                  || a == "kexec" || a == "suspend" || a == "hibernate";
         }))
    return "'systemctl' would stop the machine and is never run";
  if ((name == "rm" || name == "rmdir" || name == "shred")
      && any_arg(recursive_flag))
    return "recursive deletes are never run";
  if ((name == "chmod" || name == "chown" || name == "chgrp")
      && any_arg(recursive_flag))
    return "recursive '" + name + "' is never run";
  if (name == "find"
      && any_arg([](const std::string& a) {
           return a == "-delete" || starts_with(a, "-exec") || a == "-ok"
                  || a == "-okdir";
         }))
    return "'find' that deletes or runs commands is never run";
  if ((name == "curl" || name == "wget")
      && any_arg([](const std::string& a) {
           return a == "sh" || a == "bash" || starts_with(a, "--exec");
         }))
    return "fetching and executing is never run";
  if (any_arg(block_device))
    return "writing to a block device is never allowed";
  return {};
}

/// Arguments that turn a read-only command into one that writes or loads
/// configuration (`git log --output=…`, `ruff check -o …`, `git -c …`).
bool writes_or_configures(const std::string& word) {
  return word == "-o" || starts_with(word, "--output") || word == "-c"
         || starts_with(word, "--config") || starts_with(word, "--exec")
         || starts_with(word, "--upload-pack") || starts_with(word, "--receive-pack")
         || word == "--fix" || starts_with(word, "--fix=")
         || starts_with(word, "--write");
}

bool allowlisted(const std::vector<std::string>& argv,
                 const std::vector<std::string>& allow) {
  for (auto& entry : allow) {
    bool ok = true;
    auto words = split_words(entry, ok);
    if (!ok || words.empty() || words.size() > argv.size())
      continue;
    if (!std::equal(words.begin(), words.end(), argv.begin()))
      continue;
    if (std::none_of(argv.begin() + words.size(), argv.end(),
                     writes_or_configures))
      return true;
  }
  return false;
}

} // namespace

std::vector<std::string> default_shell_allowlist() {
  return {"git status", "git log", "pytest", "ruff check", "df -h", "uptime"};
}

std::vector<std::string> split_words(std::string_view line, bool& ok) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  ok = true;
  for (char c : line) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (is_blank(c)) {
      if (in_word)
        words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) {
    ok = false;
    return {};
  }
  if (in_word)
    words.push_back(std::move(word));
  return words;
}

std::string join_words(const std::vector<std::string>& argv) {
  std::string out;
  for (auto& w : argv) {
    if (!out.empty())
      out += ' ';
    if (w.empty() || w.find_first_of(" \t'") != std::string::npos)
      out += '"' + w + '"';
    else
      out += w;
  }
  return out;
}

shell_verdict judge_shell(std::string_view line,
                          const std::vector<std::string>& allow) {
  // Trim only the ends: a newline inside is a second command, refused below.
  while (!line.empty() && is_blank(line.front()))
    line.remove_prefix(1);
  while (!line.empty() && is_blank(line.back()))
    line.remove_suffix(1);
  if (line.empty())
    return deny("no command given");
  if (auto at = line.find_first_of(metacharacters); at != std::string_view::npos) {
    auto c = line[at];
    std::string shown = c == '\n' ? "a line break" : c == '\r' ? "a carriage return"
                                                  : std::string("'") + c + "'";
    return deny("commands run without a shell, so " + shown
                + " cannot do what it would there; send one plain command");
  }
  bool ok = true;
  auto argv = split_words(line, ok);
  if (!ok)
    return deny("a quote is not closed");
  if (argv.empty())
    return deny("no command given");
  for (auto& word : argv)
    if (word.find('\0') != std::string::npos)
      return deny("a command cannot contain a NUL character");
  if (!plain_ascii(argv[0]))
    return deny("the command name '" + argv[0]
                + "' is not plain ASCII (a look-alike of another command?)");
  if (auto why = blocked(argv); !why.empty())
    return deny(why);
  if (allowlisted(argv, allow))
    return {shell_verdict_kind::allow, std::move(argv), "allowlisted, read-only"};
  return {shell_verdict_kind::needs_approval, std::move(argv),
          "not on the allowlist"};
}

} // namespace parley
