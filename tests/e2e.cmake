# End-to-end tests of the command-line contract (exit codes, one-line errors,
# output files, formats): tests/e2e_cli.py against the built binary.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

add_test(NAME e2e/cli
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e_cli.py
                 --loopcheck $<TARGET_FILE:loopcheck> --expect-version ${PROJECT_VERSION})
set_tests_properties(e2e/cli PROPERTIES LABELS e2e)
