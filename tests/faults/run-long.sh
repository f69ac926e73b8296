#!/usr/bin/env bash
# The long form of the fault tests: each scenario runs SECONDS (default 120)
# of load, with kill -9 every 2 s, PostgreSQL stopped for 2 s of every 3, or
# 30 % of Graph sends failing.   tests/faults/run-long.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
export PARLEY_FAULT_SECONDS=${1:-120}
export PARLEY_BIN=${PARLEY_BIN:-$(cd ../.. && pwd)/build/parley}
python3 -m unittest -v test_faults test_database_faults
