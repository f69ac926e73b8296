#define CAF_SUITE shell_connector
#include "actors/connectors/shell_connector.hpp"
#include "protocol/approval_text.hpp"

#define FAIL CAF_FAIL
#include <caf/test/dsl.hpp>

#include <cstdlib>

using namespace parley;

namespace {

struct fixture : test_coordinator_fixture<> {
  shell_config cfg;

  fixture() {
    cfg.enabled = true;
    cfg.workdir = "/tmp";
    cfg.timeout_ms = 5000;
    cfg.output_limit = 4096;
  }

  /// Runs argv through a connector built from `cfg`.
  shell_outcome run_argv(std::vector<std::string> argv) {
    auto shell = sys.spawn(shell_connector, cfg);
    shell_outcome out;
    auto rh = self->request(shell, caf::infinite, atom::run_v, std::move(argv));
    run();
    rh.receive([&](const shell_outcome& o) { out = o; },
               [](caf::error& err) { CAF_FAIL("unexpected error: " << err); });
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(shell_connector_tests, fixture)

CAF_TEST(a command runs in the configured directory and its output comes back) {
  auto o = run_argv({"pwd"});
  CAF_CHECK(o.started);
  CAF_CHECK_EQUAL(o.exit_code, 0);
  CAF_CHECK_EQUAL(o.output, "/tmp\n");
  auto fails = run_argv({"ls", "/definitely/not/here"});
  CAF_CHECK_NOT_EQUAL(fails.exit_code, 0);
  CAF_CHECK(fails.output.find("No such file") != std::string::npos); // stderr too
}

CAF_TEST(arguments reach the program literally: nothing is expanded or chained) {
  auto o = run_argv({"echo", "a;", "$(reboot)", "`id`", "&&", "*", "$HOME"});
  CAF_CHECK_EQUAL(o.output, "a; $(reboot) `id` && * $HOME\n");
}

CAF_TEST(the environment is minimal and none of the service variables leak) {
  setenv("PARLEY_PROBE_SECRET", "leak", 1);
  auto o = run_argv({"/usr/bin/env"});
  CAF_CHECK(o.output.find("PATH=/usr/local/bin:/usr/bin:/bin") != std::string::npos);
  CAF_CHECK(o.output.find("PARLEY_PROBE_SECRET") == std::string::npos);
  CAF_CHECK(o.output.find("HOME=/tmp") != std::string::npos);
}

CAF_TEST(a command that prints 100 MB is stopped at the output cap) {
  auto o = run_argv({"head", "-c", "100000000", "/dev/zero"});
  CAF_CHECK(o.truncated);
  auto kept = o.output.size();
  CAF_CHECK_EQUAL(kept, 4096u);
}

CAF_TEST(a command that never ends is stopped at the timeout with its children) {
  cfg.timeout_ms = 300;
  auto o = run_argv({"sleep", "600"});
  CAF_CHECK(o.timed_out);
  CAF_CHECK_EQUAL(o.signal, 9);
}

CAF_TEST(a missing program or working directory is a clear error and not a crash) {
  auto o = run_argv({"no-such-program-parley"});
  CAF_CHECK(!o.started);
  CAF_CHECK_EQUAL(o.error, "command not found: no-such-program-parley");
  cfg.workdir = "/no/such/dir";
  auto d = run_argv({"pwd"});
  CAF_CHECK(!d.started);
  CAF_CHECK(d.error.find("/no/such/dir") != std::string::npos);
}

CAF_TEST(the report names the command and its exit status and the tail of its output) {
  shell_outcome o;
  o.started = true;
  o.exit_code = 0;
  o.output = "line one\nline two\n";
  auto en = shell_report("en", "git status", o);
  CAF_CHECK_EQUAL(en, "`git status` exited with 0.\n```line one\nline two```");
  auto nl = shell_report("nl", "git status", o);
  CAF_CHECK_EQUAL(nl, "`git status` eindigde met code 0.\n```line one\nline two```");
  o.output = std::string(5000, 'x') + "THE END";
  auto cut = shell_report("en", "make", o, 100);
  CAF_CHECK(cut.find("Last part of the output:") != std::string::npos);
  CAF_CHECK(cut.find("THE END```") != std::string::npos);
  o.timed_out = true;
  o.output.clear();
  auto slow = shell_report("en", "sleep 600", o);
  CAF_CHECK_EQUAL(slow, "`sleep 600` took too long and was stopped. (no output)");
}

CAF_TEST_FIXTURE_SCOPE_END()
