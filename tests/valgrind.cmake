# valgrind/memcheck (issue 9: "valgrind's memcheck for a subset, with zero reports"): loopcheck
# under valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite on two
# fixtures (libuv, and several TUs), with a cold cache, a warm cache and no cache; see
# tests/robustness/valgrind_fixtures.py. Any memcheck error or definite leak fails the test.
# libclang 14 needed no suppressions; if a new libclang does, add them to tests/valgrind.supp
# (each entry with a comment saying why) and they are used. Not in sanitizer builds: valgrind
# cannot run an ASan binary.
if(NOT LOOPCHECK_SANITIZE)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  find_program(LC_VALGRIND valgrind)
  set(_lc_vg_args --loopcheck $<TARGET_FILE:loopcheck>)
  if(LC_VALGRIND)
    list(APPEND _lc_vg_args --valgrind ${LC_VALGRIND})
  endif()
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/valgrind.supp)
    list(APPEND _lc_vg_args --suppressions ${CMAKE_CURRENT_SOURCE_DIR}/valgrind.supp)
  endif()
  add_test(NAME valgrind/memcheck
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/robustness/valgrind_fixtures.py
                   ${_lc_vg_args}
                   ${CMAKE_SOURCE_DIR}/fixtures/blocking-sleep ${CMAKE_SOURCE_DIR}/fixtures/chain-cross-file)
  set_tests_properties(valgrind/memcheck PROPERTIES LABELS valgrind SKIP_RETURN_CODE 77
                       PROCESSORS 2 TIMEOUT 1800)
endif()
