#!/usr/bin/env bash
# The whole test suite: install the dependencies, build, and run every unit
# suite and end-to-end test (the real binary, its own PostgreSQL, fake peers),
# then a short run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh --test
./deploy/build.sh
(cd build && ctest --output-on-failure "$@")
# A short run of every fuzz target (clang, ASan + UBSan); the long run is
# tests/fuzz/run-long.sh.
cmake -S tests/fuzz -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build build-fuzz -j"$(nproc)"
ctest --test-dir build-fuzz --output-on-failure
