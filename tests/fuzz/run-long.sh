#!/usr/bin/env bash
# The long fuzz run: every target for SECONDS (default 600) one after the
# other, on the corpus the short runs grew. Findings land in build-fuzz/findings.
#   tests/fuzz/run-long.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(meta_webhook evolution_webhook openai_response command split_message imap_answer calendar_data)
cmake -S tests/fuzz -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build build-fuzz -j2 >/dev/null
mkdir -p build-fuzz/findings build-fuzz/logs
for t in "${targets[@]}"; do
  mapfile -t seeds < build-fuzz/seeds/$t.txt
  echo "fuzz_$t: ${seconds}s ..."
  if ./build-fuzz/fuzz_$t -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix=build-fuzz/findings/$t- \
       build-fuzz/corpus/$t "${seeds[@]}" > build-fuzz/logs/$t.log 2>&1; then
    echo "fuzz_$t: no finding; $(grep -E '^stat::number_of_executed_units' build-fuzz/logs/$t.log | awk '{print $2}') runs," \
         "corpus $(ls build-fuzz/corpus/$t | wc -l) inputs, $(grep -oE 'cov: [0-9]+' build-fuzz/logs/$t.log | tail -1)"
  else
    echo "fuzz_$t: FINDING, see build-fuzz/logs/$t.log and build-fuzz/findings/"
    grep -E 'property broken|ERROR|SUMMARY' build-fuzz/logs/$t.log | head -5
    status=1
  fi
done
exit ${status:-0}
