# fuzz/replay-NAME: each fuzz target linked with replay_main.c instead of libFuzzer, run on
# its seed corpus (corpus/NAME/) and on every crasher kept in regressions/NAME/. Part of every
# build's tests (and of the sanitizer build's, where ASan and UBSan check each input).
# Included by tests/robustness.cmake.
include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)
foreach(name ${LC_FUZZ_TARGETS})
  add_executable(fuzz_replay_${name} ${CMAKE_CURRENT_LIST_DIR}/fuzz_${name}.c
                                     ${CMAKE_CURRENT_LIST_DIR}/replay_main.c)
  target_link_libraries(fuzz_replay_${name} PRIVATE lc_core)
  add_test(NAME fuzz/replay-${name}
           COMMAND fuzz_replay_${name} ${CMAKE_CURRENT_LIST_DIR}/corpus/${name}
                   ${CMAKE_CURRENT_LIST_DIR}/regressions/${name})
  set_tests_properties(fuzz/replay-${name} PROPERTIES LABELS fuzz)
endforeach()
