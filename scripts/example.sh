#!/usr/bin/env bash
# README command 1: build loopcheck and run it on the bundled example project,
# fixtures/example-server (a small libuv key-value server with a Node-API
# binding, and a few real mistakes). Prints the findings with their call
# chains and writes build/example/loopcheck.sarif.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup-deps.sh
cmake -S . -B build
cmake --build build -j"$(nproc)"

example=fixtures/example-server
out=build/example
# The same compile database the fixture test uses, written by the same code.
python3 tests/harness/run_fixture.py --write-compdb "$out" "$example"

echo
echo "== loopcheck -p $out   (the example has mistakes: findings expected)"
status=0 sarif_status=0
build/loopcheck --srcroot . -p "$out" || status=$?
build/loopcheck --srcroot . -p "$out" --format sarif -o "$PWD/$out/loopcheck.sarif" || sarif_status=$?

if [ "$status" -ne 1 ] || [ "$sarif_status" -ne 1 ]; then
  echo "example.sh: loopcheck exited $status (text) and $sarif_status (sarif);" \
       "expected 1: the example has findings" >&2
  exit 1
fi
echo
echo "SARIF report: $out/loopcheck.sarif"
