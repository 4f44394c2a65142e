# Parallel parsing and the summary cache end to end (issue 8): the same report
# for every -j, cold or warm, warm runs parse nothing, corrupt entries are
# rewritten, concurrent runs share one cache. tests/e2e_cache.py.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

add_test(NAME e2e/cache
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e_cache.py
                 --loopcheck $<TARGET_FILE:loopcheck> --fixtures ${CMAKE_SOURCE_DIR}/fixtures)
set_tests_properties(e2e/cache PROPERTIES LABELS e2e TIMEOUT 1500)
