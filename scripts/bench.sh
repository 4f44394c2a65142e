#!/usr/bin/env bash
# The performance benchmark of docs/performance.md: builds loopcheck and
# parse-floor (Release with debug info) in build-bench/, then runs
# tests/bench/bench.py with the given arguments, e.g.
#   scripts/bench.sh --sizes 50,200,1000
#   scripts/bench.sh --compdb path/to/build        (an existing project)
# It prints figures and never fails on time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOOPCHECK_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target loopcheck parse-floor >/dev/null
exec python3 tests/bench/bench.py --build build-bench "$@"
