# End-to-end tests of the configuration file (.loopcheck.json, --config, --no-config,
# --dump-config) and of the changed-files mode (-p BUILD FILE...): tests/e2e_config.py
# against the built binary. See docs/configuration.md and docs/cli.md.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

add_test(NAME e2e/config
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e_config.py
                 --loopcheck $<TARGET_FILE:loopcheck> --fixtures ${CMAKE_SOURCE_DIR}/fixtures)
set_tests_properties(e2e/config PROPERTIES LABELS e2e)
