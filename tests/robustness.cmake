# Robustness (issue 9; docs/robustness.md):
# - robustness/battery: tests/robustness/battery.py feeds loopcheck bad input, hostile compile
#   databases, interrupts and extreme generated programs, and prints time and peak RSS figures.
#   Under sanitizers it runs without its address-space limit (ASan reserves terabytes).
# - fuzz/replay-*: each libFuzzer target of tests/fuzz/ built with a plain main() that feeds it
#   its seed corpus and every crasher kept in tests/fuzz/regressions/ (normal and sanitizer
#   builds; the fuzzing itself is scripts/fuzz.sh).
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(_lc_battery_args)
if(LOOPCHECK_SANITIZE)
  list(APPEND _lc_battery_args --sanitized)
endif()
add_test(NAME robustness/battery
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/robustness/battery.py
                 --loopcheck $<TARGET_FILE:loopcheck> ${_lc_battery_args})
# Extreme inputs run with -j 2; a generous timeout (each run has its own 300 s bound).
set_tests_properties(robustness/battery PROPERTIES LABELS robustness PROCESSORS 2 TIMEOUT 1800)

include(${CMAKE_CURRENT_SOURCE_DIR}/fuzz/replay.cmake OPTIONAL)
