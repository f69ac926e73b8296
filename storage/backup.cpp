#include "storage/backup.hpp"

#include "storage/embedded_postgres.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace parley::storage {

namespace {

/// Runs a PostgreSQL program with `argv`; its messages go to our stderr.
int run_program(const std::vector<std::string>& argv) {
  pid_t pid = fork();
  if (pid < 0)
    throw backup_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

} // namespace

void backup_database(const std::string& conninfo, const std::string& file) {
  namespace fs = std::filesystem;
  auto partial = file + ".partial";
  std::error_code ec;
  fs::remove(partial, ec);
  int rc = run_program({postgres_bin_dir() + "/pg_dump", "--format=custom",
                        "--no-owner", "--file=" + partial, "--dbname=" + conninfo});
  if (rc != 0) {
    fs::remove(partial, ec);
    throw backup_error("pg_dump failed (exit " + std::to_string(rc) + "); no backup written to "
                       + file);
  }
  fs::rename(partial, file, ec);
  if (ec) {
    fs::remove(partial, ec);
    throw backup_error("cannot write " + file + ": " + ec.message());
  }
}

void restore_database(const std::string& conninfo, const std::string& file) {
  if (access(file.c_str(), R_OK) != 0)
    throw backup_error("cannot read " + file + ": " + std::strerror(errno));
  int rc = run_program({postgres_bin_dir() + "/pg_restore", "--clean", "--if-exists",
                        "--no-owner", "--single-transaction", "--exit-on-error",
                        "--dbname=" + conninfo, file});
  if (rc != 0)
    throw backup_error("pg_restore failed (exit " + std::to_string(rc)
                       + "); the database is as it was");
}

} // namespace parley::storage
