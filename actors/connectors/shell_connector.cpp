#include "actors/connectors/shell_connector.hpp"

#include "actors/log.hpp"

namespace parley {

shell_actor::behavior_type
shell_connector(shell_actor::stateful_pointer<shell_connector_state> self,
                shell_config cfg) {
  auto& limits = self->state.limits;
  limits.workdir = cfg.workdir;
  limits.timeout = std::chrono::milliseconds(cfg.timeout_ms);
  limits.output_cap = static_cast<size_t>(cfg.output_limit);
  return {
    [=](atom::run, const std::vector<std::string>& argv) {
      auto outcome = run_process(argv, self->state.limits);
      log::info("shell: " + (argv.empty() ? std::string("?") : argv[0])
                + (outcome.started ? " ended, exit " + std::to_string(outcome.exit_code)
                                   : " did not start: " + outcome.error)
                + (outcome.timed_out ? " (timed out)" : "")
                + (outcome.truncated ? " (output cap)" : ""));
      return outcome;
    },
  };
}

} // namespace parley
