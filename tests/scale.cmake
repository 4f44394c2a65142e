# Extract and link as separate steps (issue 10): for every fixture the reports
# are byte-identical one-shot, extract + link, sharded, merged in any order;
# corrupt summaries are errors naming the file; duplicate definitions are
# counted; the ninja-gen flow is incremental. tests/e2e_scale.py.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

add_test(NAME e2e/scale
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e_scale.py
                 --loopcheck $<TARGET_FILE:loopcheck> --fixtures ${CMAKE_SOURCE_DIR}/fixtures)
set_tests_properties(e2e/scale PROPERTIES LABELS e2e TIMEOUT 900)
