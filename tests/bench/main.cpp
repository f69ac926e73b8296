// The benchmark's load generators and fake peers (tests/bench/run.sh):
//
//   parley_bench ingest --url URL --secret S --connections 64 --seconds 5
//     [--first-id N] [--senders 10000] [--pnid ID] [--label L]
//       ack throughput and latency, as fast as each connection is answered.
//   parley_bench e2e --url URL --secret S --graph-port P --rate 1000
//     --seconds 10 [--text taken] [--first-id N] [--llm-port P
//     --llm-delay-ms 200]
//       a fixed offered rate; each message's reply timed at the fake Graph
//       API this process serves (and, with --llm-port, a fake LLM).
//   parley_bench ceiling --port P
//       the least an HTTP server can do: answer 200 like the Graph API.
//   parley_bench storage --data-dir D --events N --batch B
//       the same event inserts as parley's, straight into its PostgreSQL.
// Each prints one JSON line.
#include "bench.hpp"

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: parley_bench ingest|e2e|ceiling|storage --option value ...\n";
    return 2;
  }
  std::string mode = argv[1];
  auto opt = bench::parse_options(argc, argv, 2);
  if (mode == "ingest")
    return bench::ingest(opt);
  if (mode == "e2e")
    return bench::end_to_end(opt);
  if (mode == "ceiling")
    return bench::ceiling(opt);
  if (mode == "storage")
    return bench::storage_ceiling(opt);
  std::cerr << "unknown mode '" << mode << "'\n";
  return 2;
}
