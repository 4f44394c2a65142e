# Adopting loopcheck in a project (issue 7): baselines, inline suppressions,
# exit-code thresholds, GitLab Code Quality and the pre-commit hook, end to
# end against the built binary (tests/e2e_adoption.py). The unit tests of
# suppress.c and baseline.c are tests/unit/test_suppress.c and
# test_baseline.c; the suppression fixtures are fixtures/suppress-*/.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

add_test(NAME e2e/adoption
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e_adoption.py
                 --loopcheck $<TARGET_FILE:loopcheck> --source-dir ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e/adoption PROPERTIES LABELS e2e)
