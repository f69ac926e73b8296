#include "actors/connectors/run_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace parley {

namespace {

constexpr const char* search_path = "/usr/local/bin:/usr/bin:/bin";

/// The program to execute: a path (a relative one from the working
/// directory), or the first match on the minimal PATH (the caller's PATH is
/// not trusted).
std::string resolve(const std::string& name, const std::string& workdir) {
  if (name.front() == '/')
    return name;
  if (name.find('/') != std::string::npos)
    return workdir + "/" + name;
  std::string dirs = search_path;
  size_t start = 0;
  while (start <= dirs.size()) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos)
      end = dirs.size();
    auto candidate = dirs.substr(start, end - start) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return {};
}

/// Owns the spawn attributes and file actions.
struct spawn_setup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  spawn_setup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~spawn_setup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

/// Waits for the child to exit until the deadline, without reaping it.
bool exited_before(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0)
    return true; // old kernel: fall back to a plain wait
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
    deadline - std::chrono::steady_clock::now());
  pollfd p{fd, POLLIN, 0};
  int ready = 0;
  do {
    ready = poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
  } while (ready < 0 && errno == EINTR);
  close(fd);
  return ready > 0;
}

} // namespace

shell_outcome run_process(const std::vector<std::string>& argv,
                           const process_limits& limits) {
  shell_outcome out;
  if (argv.empty() || argv[0].empty()) {
    out.error = "no command given";
    return out;
  }
  auto program = resolve(argv[0], limits.workdir);
  if (program.empty() || access(program.c_str(), X_OK) != 0) {
    out.error = "command not found: " + argv[0];
    return out;
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    out.error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return out;
  }
  spawn_setup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&setup.actions, fds[1], 2);
  posix_spawn_file_actions_addchdir_np(&setup.actions, limits.workdir.c_str());
  // Its own process group, so the deadline ends its children too; default
  // signal handling and an empty mask, whatever this process uses.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP
                                          | POSIX_SPAWN_SETSIGMASK
                                          | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &all);

  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string path_env = std::string("PATH=") + search_path;
  std::string home_env = "HOME=" + limits.workdir;
  std::vector<char*> env{const_cast<char*>(path_env.c_str()),
                         const_cast<char*>(home_env.c_str()),
                         const_cast<char*>("LANG=C.UTF-8"),
                         const_cast<char*>("TERM=dumb"), nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, program.c_str(), &setup.actions, &setup.attr,
                       args.data(), env.data());
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    out.error = "cannot run " + argv[0] + ": " + std::strerror(rc);
    if (rc == ENOENT)
      out.error += " (does the working directory " + limits.workdir + " exist?)";
    return out;
  }
  out.started = true;
  auto deadline = std::chrono::steady_clock::now() + limits.timeout;
  char buf[16384];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      out.timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready == 0)
      continue; // the loop notices the deadline
    auto n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break; // EOF: every writer is gone
    auto room = limits.output_cap - out.output.size();
    out.output.append(buf, std::min<size_t>(room, static_cast<size_t>(n)));
    if (static_cast<size_t>(n) > room) {
      out.truncated = true;
      break;
    }
  }
  close(fds[0]);
  if (!out.timed_out && !out.truncated && !exited_before(pid, deadline))
    out.timed_out = true; // closed its output but kept running
  if (out.timed_out || out.truncated)
    kill(-pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    out.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    out.signal = WTERMSIG(status);
  return out;
}

} // namespace parley
