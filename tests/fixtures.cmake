# Fixture tests: one CTest test per fixtures/NAME/ directory, run by
# tests/harness/run_fixture.py (expectations are inline in the fixture's
# sources; see that script's docstring). Exit 77 means a header the fixture
# needs is missing: CTest reports the test as skipped.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(LC_HARNESS ${CMAKE_CURRENT_SOURCE_DIR}/harness/run_fixture.py)
file(GLOB LC_FIXTURE_DIRS LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fixtures/*)
list(SORT LC_FIXTURE_DIRS)
foreach(dir ${LC_FIXTURE_DIRS})
  if(IS_DIRECTORY ${dir})
    get_filename_component(name ${dir} NAME)
    add_test(NAME fixture/${name}
             COMMAND ${Python3_EXECUTABLE} ${LC_HARNESS} --loopcheck $<TARGET_FILE:loopcheck> ${dir})
    set_tests_properties(fixture/${name} PROPERTIES SKIP_RETURN_CODE 77 LABELS fixture)
  endif()
endforeach()

# The harness's own tests: its rules against a fake loopcheck, and proof with
# the real binary that a fixture fails when an expectation is removed
# ("unexpected") or a bogus one is added ("missing").
add_test(NAME harness/self-test
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/harness/test_harness.py
                 --loopcheck $<TARGET_FILE:loopcheck> --fixtures ${CMAKE_SOURCE_DIR}/fixtures)
set_tests_properties(harness/self-test PROPERTIES LABELS harness)
