#!/usr/bin/env bash
# Build loopcheck's libFuzzer targets with clang in build-fuzz/ and run each one for
# FUZZ_SECONDS (default 60). Fails when a target crashes, leaks, hangs or runs out of memory;
# every such input is copied to tests/fuzz/regressions/TARGET/, where the fuzz/replay-TARGET
# test of every normal build replays it (commit it together with the fix).
#
#   scripts/fuzz.sh [TARGET...]        targets: the NAME of tests/fuzz/fuzz_NAME.c; default all
#   FUZZ_SECONDS=600 scripts/fuzz.sh compdb
#
# The seed corpus in tests/fuzz/corpus/TARGET/ is read, never written: what libFuzzer learns
# goes to build-fuzz/fuzz-work/TARGET/corpus/ and is kept between runs there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${FUZZ_SECONDS:-60}
build=build-fuzz
if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: clang is needed (apt-get install clang); scripts/setup-deps.sh installs it" >&2
  exit 2
fi

cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DLOOPCHECK_FUZZ=ON -DLOOPCHECK_TESTS=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for src in tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    name=${name#fuzz_}
    [ -f "analyzer/$name.c" ] && targets+=("$name")
  done
fi
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=()
for t in "${targets[@]}"; do
  work=$build/fuzz-work/$t
  mkdir -p "$work/corpus" "$work/artifacts"
  rm -f "$work/artifacts"/*
  dict=$work/fuzz.dict
  cat tests/fuzz/dict/json.dict > "$dict"
  [ -f "tests/fuzz/dict/$t.dict" ] && cat "tests/fuzz/dict/$t.dict" >> "$dict"
  [ "$t" = suppress ] && cat "tests/fuzz/dict/$t.dict" > "$dict"   # C text, not JSON
  seeds=(tests/fuzz/corpus/"$t")
  [ -d tests/fuzz/regressions/"$t" ] && seeds+=(tests/fuzz/regressions/"$t")
  echo "fuzz: $t for ${seconds}s (log: $work/log)"
  set +e
  "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -dict="$dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
      "$work/corpus" "${seeds[@]}" >"$work/log" 2>&1
  rc=$?
  set -e
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done" "$work/log" | sed "s/^/  /" || true
  found=$(find "$work/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    failed+=("$t")
    mkdir -p "tests/fuzz/regressions/$t"
    for f in $found; do
      cp "$f" "tests/fuzz/regressions/$t/"
      echo "  reproducer: $build/tests/fuzz/fuzz_$t tests/fuzz/regressions/$t/$(basename "$f")"
    done
    grep -E "ERROR: |SUMMARY: |runtime error:|==[0-9]+==.*(deadly|timeout|out-of-memory)" "$work/log" \
      | head -5 | sed "s/^/  /" || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs kept in tests/fuzz/regressions/; logs in $build/fuzz-work/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no crash"
