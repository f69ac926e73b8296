#include "storage/embedded_postgres.hpp"

#include "storage/pg.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace parley::storage {

namespace {

/// The unprivileged account the cluster runs as when parley runs as root
/// (PostgreSQL refuses root); Debian's package creates it.
constexpr const char* cluster_user = "postgres";

std::string find_bin_dir() {
  if (auto* env = std::getenv("PARLEY_PG_BIN"))
    return env;
  std::vector<fs::path> candidates;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec))
    if (fs::exists(entry.path() / "bin" / "initdb"))
      candidates.push_back(entry.path() / "bin");
  if (candidates.empty())
    throw cluster_error("PostgreSQL server binaries not found under "
                        "/usr/lib/postgresql (apt-get install postgresql), "
                        "or set database_url");
  std::sort(candidates.begin(), candidates.end(),
            [](const fs::path& a, const fs::path& b) {
              return std::stoi(a.parent_path().filename())
                     < std::stoi(b.parent_path().filename());
            });
  return candidates.back();
}

struct run_as {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

run_as cluster_identity() {
  run_as who;
  if (geteuid() != 0)
    return who;
  auto* pw = getpwnam(cluster_user);
  if (!pw)
    throw cluster_error("parley runs as root and PostgreSQL refuses to; the "
                        "system user 'postgres' that would run the embedded "
                        "cluster does not exist (apt-get install postgresql)");
  who.switch_user = true;
  who.uid = pw->pw_uid;
  who.gid = pw->pw_gid;
  return who;
}

/// Runs a program (argv[0] is a path) and returns its exit status; output
/// goes to `log_path`. As root, the child drops to the cluster user first.
int run(const std::vector<std::string>& argv, const run_as& who,
        const std::string& cwd, const std::string& log_path) {
  pid_t pid = fork();
  if (pid < 0)
    throw cluster_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0)
      dup2(null, 0);
    if (who.switch_user) {
      if (setgroups(0, nullptr) != 0 || setgid(who.gid) != 0
          || setuid(who.uid) != 0)
        _exit(126);
    }
    if (chdir(cwd.c_str()) != 0)
      _exit(125);
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const char* env[] = {"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "TZ=UTC",
                         nullptr};
    execve(args[0], args.data(), const_cast<char**>(env));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/// Can the cluster user traverse into and write `dir`? Checked in a child
/// that has dropped to that user, because root's own access says nothing.
bool reachable(const std::string& dir, const run_as& who) {
  if (!who.switch_user)
    return access(dir.c_str(), R_OK | W_OK | X_OK) == 0;
  pid_t pid = fork();
  if (pid == 0) {
    if (setgroups(0, nullptr) != 0 || setgid(who.gid) != 0
        || setuid(who.uid) != 0)
      _exit(2);
    _exit(access(dir.c_str(), R_OK | W_OK | X_OK) == 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string tail_of(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f)
    return {};
  std::string all;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    all.append(buf, n);
  std::fclose(f);
  if (all.size() > 800)
    all = all.substr(all.size() - 800);
  return all;
}

/// flock with a clear error.
int open_lock(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    throw cluster_error("cannot open " + path + ": " + std::strerror(errno));
  return fd;
}

void say(void (*progress)(const std::string&), const std::string& what) {
  if (progress)
    progress(what);
}

/// The command name of a live process, or "" when there is none.
std::string process_name(long pid) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/comm").c_str(), "r");
  if (!f)
    return {};
  char buf[64] = {};
  auto n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::string name(buf, n);
  while (!name.empty() && name.back() == '\n')
    name.pop_back();
  return name;
}

/// After a power loss or a container restart, postmaster.pid may name a PID
/// that another process owns by now; PostgreSQL (and pg_ctl) then take the
/// cluster for running and refuse to start. The file is stale when nothing
/// answers on the cluster's socket and its PID is not a postgres process.
/// A dead PID is left to PostgreSQL, which replaces such a file itself.
void remove_stale_pid_file(const std::string& pgdata,
                           const std::string& socket_dir,
                           void (*progress)(const std::string&)) {
  auto path = (fs::path(pgdata) / "postmaster.pid").string();
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f)
    return;
  long pid = 0;
  bool parsed = std::fscanf(f, "%ld", &pid) == 1 && pid > 0;
  std::fclose(f);
  if (!parsed
      || server_answers("host=" + socket_dir
                        + " dbname=postgres user=parley connect_timeout=3"))
    return;
  auto name = process_name(pid);
  if (name.empty() || name == "postgres" || name == "postmaster")
    return;
  say(progress, "removing a stale postmaster.pid (PID " + std::to_string(pid)
                  + " is now '" + name + "', not PostgreSQL)");
  fs::remove(path);
}

} // namespace

int lock_data_dir(const std::string& data_dir) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  auto path = (fs::absolute(data_dir) / "parley.lock").string();
  int fd = open_lock(path);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    throw cluster_error("another parley serve is running on data_dir "
                        + fs::absolute(data_dir).string()
                        + " (" + path + " is locked); stop it first, or use "
                        "another data_dir");
  }
  auto pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) == 0 && write(fd, pid.data(), pid.size()) < 0) {
    // The pid is informational only.
  }
  return fd;
}

embedded_postgres::embedded_postgres(const std::string& data_dir,
                                     void (*progress)(const std::string&)) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec)
    throw cluster_error("cannot create data_dir " + data_dir + ": "
                        + ec.message());
  data_dir_ = fs::canonical(data_dir).string();
  auto base = fs::path(data_dir_) / "pg";
  pgdata_ = (base / "data").string();
  socket_dir_ = (base / "run").string();
  bin_dir_ = find_bin_dir();
  if (socket_dir_.size() + 20 > 107)
    throw cluster_error("data_dir path is too long for a Unix socket ("
                        + socket_dir_ + "); use a shorter data_dir");
  auto who = cluster_identity();
  fs::create_directories(base, ec);
  fs::create_directories(socket_dir_, ec);
  auto log_path = (base / "postgres.log").string();

  // Serialise start-up and shutdown between parley processes.
  int start_fd = open_lock((base / "start.lock").string());
  flock(start_fd, LOCK_EX);
  struct unlock_on_exit {
    int fd;
    ~unlock_on_exit() { close(fd); }
  } unlock{start_fd};

  if (who.switch_user) {
    for (auto& p : {base.string(), socket_dir_, log_path}) {
      if (p == log_path && !fs::exists(p))
        close(open(p.c_str(), O_WRONLY | O_CREAT, 0600));
      if (chown(p.c_str(), who.uid, who.gid) != 0)
        throw cluster_error("cannot hand " + p + " to the postgres user: "
                            + std::strerror(errno));
    }
    if (!reachable(base.string(), who))
      throw cluster_error(
        "the embedded PostgreSQL runs as the 'postgres' user (parley runs as "
        "root), and that user cannot reach " + base.string()
        + ": a parent directory is private (e.g. under /root). Use a data_dir "
          "such as /var/lib/parley, or set database_url");
  }
  chmod(socket_dir_.c_str(), 0700);

  auto bin = [&](const char* name) { return bin_dir_ + "/" + name; };
  if (!fs::exists(fs::path(pgdata_) / "PG_VERSION")) {
    say(progress, "initialising the embedded PostgreSQL cluster in " + pgdata_);
    fs::remove_all(pgdata_, ec); // a half-made cluster from an interrupted initdb
    int rc = run({bin("initdb"), "-D", pgdata_, "-U", "parley", "-A", "trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"},
                 who, base.string(), log_path);
    if (rc != 0)
      throw cluster_error("initdb failed (exit " + std::to_string(rc)
                          + "); see " + log_path + ":\n" + tail_of(log_path));
  }
  users_fd_ = open_lock((base / "users.lock").string());
  flock(users_fd_, LOCK_SH);
  remove_stale_pid_file(pgdata_, socket_dir_, progress);
  if (run({bin("pg_ctl"), "-D", pgdata_, "status"}, who, base.string(),
          "/dev/null")
      != 0) {
    say(progress, "starting the embedded PostgreSQL");
    // A stale postmaster.pid after a crash is detected and replaced by the
    // server itself when its pid is not alive.
    int rc = run({bin("pg_ctl"), "-D", pgdata_, "-l", log_path, "-w", "-t",
                  "60", "-o",
                  "-c listen_addresses='' -c unix_socket_directories='"
                    + socket_dir_ + "' -c unix_socket_permissions=0700",
                  "start"},
                 who, base.string(), "/dev/null");
    if (rc != 0) {
      close(users_fd_);
      users_fd_ = -1;
      throw cluster_error("the embedded PostgreSQL did not start (exit "
                          + std::to_string(rc) + "); see " + log_path + ":\n"
                          + tail_of(log_path));
    }
  }
  // The parley database itself.
  try {
    connection admin("host=" + socket_dir_ + " dbname=postgres user=parley");
    if (admin.exec("SELECT 1 FROM pg_database WHERE datname = 'parley'").rows()
        == 0)
      admin.exec("CREATE DATABASE parley");
  } catch (const pg_error& e) {
    throw cluster_error(std::string("the embedded PostgreSQL is not usable: ")
                        + e.what());
  }
}

embedded_postgres::~embedded_postgres() { stop(); }

std::string postgres_bin_dir() { return find_bin_dir(); }

std::string embedded_postgres::conninfo() const {
  return "host=" + socket_dir_ + " dbname=parley user=parley";
}

void embedded_postgres::stop() {
  if (users_fd_ < 0)
    return;
  auto base = fs::path(data_dir_) / "pg";
  int start_fd = open((base / "start.lock").c_str(), O_RDWR | O_CLOEXEC);
  if (start_fd >= 0)
    flock(start_fd, LOCK_EX);
  // The last user stops the cluster: upgrade our shared lock to exclusive
  // without blocking; if someone else still holds it, leave it running.
  if (flock(users_fd_, LOCK_EX | LOCK_NB) == 0) {
    try {
      run({bin_dir_ + "/pg_ctl", "-D", pgdata_, "-m", "fast", "-w", "stop"},
          cluster_identity(), base.string(), "/dev/null");
    } catch (...) {
      // Shutting down anyway; the next start recovers.
    }
  }
  close(users_fd_);
  users_fd_ = -1;
  if (start_fd >= 0)
    close(start_fd);
}

} // namespace parley::storage
