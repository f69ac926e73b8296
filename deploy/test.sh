#!/usr/bin/env bash
# The whole test suite: install the dependencies, build, and run every unit
# suite and end-to-end test (the real binary, its own PostgreSQL, fake peers).
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
./deploy/build.sh
cd build
ctest --output-on-failure "$@"
