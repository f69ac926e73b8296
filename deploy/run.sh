#!/usr/bin/env bash
# Quick start: install the dependencies, build, and run `parley serve` on the
# embedded PostgreSQL. Extra arguments go to `parley serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
./deploy/build.sh
echo "parley: starting; talk to it from another terminal with: ./build/parley chat"
exec ./build/parley serve "$@"
