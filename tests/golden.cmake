# Golden files: for every fixtures/NAME/, the normalized text, JSON, SARIF and
# DOT reports are compared with fixtures/NAME/expected.{txt,json,sarif,dot}
# by tests/harness/golden.py (a unified diff on mismatch; a fixture without
# golden files fails with the command that writes them:
#   tests/harness/golden.py --loopcheck build/loopcheck --update fixtures/NAME).
# Exit 77 (a header the fixture needs is missing) is a skip, as for fixture/NAME.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(LC_GOLDEN ${CMAKE_CURRENT_SOURCE_DIR}/harness/golden.py)
file(GLOB LC_GOLDEN_DIRS LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fixtures/*)
list(SORT LC_GOLDEN_DIRS)
foreach(dir ${LC_GOLDEN_DIRS})
  if(IS_DIRECTORY ${dir})
    get_filename_component(name ${dir} NAME)
    add_test(NAME golden/${name}
             COMMAND ${Python3_EXECUTABLE} ${LC_GOLDEN} --loopcheck $<TARGET_FILE:loopcheck> ${dir})
    set_tests_properties(golden/${name} PROPERTIES SKIP_RETURN_CODE 77 LABELS golden)
  endif()
endforeach()

# The normalization itself (paths out of the fixture, SARIF rules, statistics).
add_test(NAME golden/self-test COMMAND ${Python3_EXECUTABLE} ${LC_GOLDEN} --self-test)
set_tests_properties(golden/self-test PROPERTIES LABELS golden)

# Fingerprints do not depend on line numbers: lines inserted above every
# finding leave them unchanged; renaming the enclosing function changes them.
add_test(NAME golden/fingerprint-stability
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/harness/fingerprint_stability.py
                 --loopcheck $<TARGET_FILE:loopcheck>
                 ${CMAKE_SOURCE_DIR}/fixtures/example-server ${CMAKE_SOURCE_DIR}/fixtures/chain-cross-file)
set_tests_properties(golden/fingerprint-stability PROPERTIES SKIP_RETURN_CODE 77 LABELS golden)

# The text report on a terminal: colours only there, NO_COLOR, --color,
# -o FILE, --quiet and the summary line (fixtures/partial-tu, main-only).
add_test(NAME report/text-terminal
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/harness/text_terminal.py
                 --loopcheck $<TARGET_FILE:loopcheck> --fixtures ${CMAKE_SOURCE_DIR}/fixtures)
set_tests_properties(report/text-terminal PROPERTIES SKIP_RETURN_CODE 77 LABELS report)
