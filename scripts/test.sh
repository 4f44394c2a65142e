#!/usr/bin/env bash
# README command 2, and what CI runs (.ci/run): build with -Werror and run
# every test (unit, fixtures, harness self-tests, end-to-end), then build
# again with AddressSanitizer + UndefinedBehaviorSanitizer and rerun them,
# then fuzz every reader briefly (FUZZ_SECONDS each, default 20; 0 skips).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup-deps.sh
jobs=$(nproc)
# Every dependency is installed above: a fixture that would skip for a
# missing header is a failure here.
export LOOPCHECK_TEST_NO_SKIP=1

cmake -S . -B build-test -DLOOPCHECK_WERROR=ON
cmake --build build-test -j"$jobs"
ctest --test-dir build-test --output-on-failure -j"$jobs"

export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
cmake -S . -B build-sanitize -DLOOPCHECK_SANITIZE=ON
cmake --build build-sanitize -j"$jobs"
ctest --test-dir build-sanitize --output-on-failure -j"$jobs"

# A short libFuzzer run of every input reader (compile database, rules,
# config, baseline, summary, suppression comments); longer runs by hand with
# FUZZ_SECONDS=600 scripts/fuzz.sh.
unset ASAN_OPTIONS UBSAN_OPTIONS
if [ "${FUZZ_SECONDS:-20}" != 0 ]; then
	FUZZ_SECONDS=${FUZZ_SECONDS:-20} scripts/fuzz.sh
fi
