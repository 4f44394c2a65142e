# loopcheck.cmake - run loopcheck as part of a CMake build, one extract step per
# C source and one link step per program (docs/scale.md).
#
#   include(path/to/loopcheck.cmake)
#   loopcheck_add_target(<name> TARGETS <target>...
#                        [ROOT <dir>]            paths in summaries relative to this
#                                                (default: CMAKE_SOURCE_DIR)
#                        [FORMAT sarif|json|text|codequality]   (default: sarif)
#                        [OUTPUT <file>]         (default: <binary dir>/<name>.<format>)
#                        [LINK_OPTIONS <opt>...] more `loopcheck link` options
#                        [ALL])                  build it with the default target
#
# Every C source of the targets gets a custom command
#   loopcheck extract -p <build dir> --root ROOT SRC -o <name>.lcsum/<path>.lcsum
# with a depfile listing the headers the TU read, so editing a source or a
# header re-extracts only the TUs that read it; `loopcheck link` then writes
# OUTPUT from the summaries. Run it once per program (TARGETS = that program's
# executable and the libraries it links) for one report per program; one link
# over several programs analyses each on its own too (docs/design.md).
#
# The summaries are read from the compile database, so the project needs
# CMAKE_EXPORT_COMPILE_COMMANDS ON (Makefile and Ninja generators). The link
# step runs with --exit-zero: findings do not fail the build; check the report
# (or drop --exit-zero through LINK_OPTIONS to make them fail it).
#
# LOOPCHECK_EXECUTABLE names the loopcheck to run (default: found on PATH).

if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "loopcheck.cmake needs CMake 3.20 (DEPFILE with Makefile generators)")
endif()

function(loopcheck_add_target name)
  cmake_parse_arguments(PARSE_ARGV 1 LC "ALL" "ROOT;FORMAT;OUTPUT" "TARGETS;LINK_OPTIONS")
  if(NOT LC_TARGETS)
    message(FATAL_ERROR "loopcheck_add_target(${name}): TARGETS is required")
  endif()
  if(NOT CMAKE_EXPORT_COMPILE_COMMANDS)
    message(FATAL_ERROR "loopcheck_add_target(${name}): set CMAKE_EXPORT_COMPILE_COMMANDS ON")
  endif()
  if(NOT LOOPCHECK_EXECUTABLE)
    find_program(LOOPCHECK_EXECUTABLE loopcheck REQUIRED)
  endif()
  if(NOT LC_ROOT)
    set(LC_ROOT ${CMAKE_SOURCE_DIR})
  endif()
  if(NOT LC_FORMAT)
    set(LC_FORMAT sarif)
  endif()
  if(NOT LC_OUTPUT)
    set(LC_OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${name}.${LC_FORMAT})
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${name}.lcsum)
  # extract leaves a summary whose bytes did not change untouched, so that
  # Ninja (restat) skips the link; make has no restat and would run extract
  # again on every build, so there the summary is touched.
  set(touch_out)
  if(NOT CMAKE_GENERATOR MATCHES "Ninja")
    set(touch_out COMMAND ${CMAKE_COMMAND} -E touch_nocreate)
  endif()

  set(summaries)
  set(seen)
  foreach(target IN LISTS LC_TARGETS)
    get_target_property(sources ${target} SOURCES)
    get_target_property(source_dir ${target} SOURCE_DIR)
    foreach(src IN LISTS sources)
      if(src MATCHES "^\\$<" OR NOT src MATCHES "\\.c$")
        continue() # generator expressions and non-C sources
      endif()
      cmake_path(ABSOLUTE_PATH src BASE_DIRECTORY ${source_dir} NORMALIZE)
      if(src IN_LIST seen)
        continue() # a source shared by two of the targets: one summary
      endif()
      list(APPEND seen ${src})
      file(RELATIVE_PATH rel ${LC_ROOT} ${src})
      string(REPLACE "/" "+" flat ${rel})
      string(REPLACE ".." "%2E%2E" flat ${flat})
      set(out ${dir}/${flat}.lcsum)
      set(touch_out_file)
      if(touch_out)
        set(touch_out_file ${out})
      endif()
      add_custom_command(
        OUTPUT ${out}
        COMMAND ${LOOPCHECK_EXECUTABLE} extract -p ${CMAKE_BINARY_DIR} --root ${LC_ROOT}
                --depfile ${out}.d -o ${out} ${src}
        ${touch_out} ${touch_out_file}
        DEPENDS ${src} ${LOOPCHECK_EXECUTABLE}
        DEPFILE ${out}.d
        COMMENT "loopcheck extract ${rel}"
        VERBATIM)
      list(APPEND summaries ${out})
    endforeach()
  endforeach()
  if(NOT summaries)
    message(FATAL_ERROR "loopcheck_add_target(${name}): the targets have no C sources")
  endif()

  # The list goes through a file: thousands of paths do not fit a command line.
  list(JOIN summaries "\n" listing)
  file(GENERATE OUTPUT ${dir}.list CONTENT "${listing}\n")
  add_custom_command(
    OUTPUT ${LC_OUTPUT}
    COMMAND ${LOOPCHECK_EXECUTABLE} link --root ${LC_ROOT} --srcroot ${LC_ROOT}
            --format ${LC_FORMAT} --exit-zero -o ${LC_OUTPUT} ${LC_LINK_OPTIONS}
            --summaries-from ${dir}.list
    DEPENDS ${summaries} ${dir}.list ${LOOPCHECK_EXECUTABLE}
    COMMENT "loopcheck link ${name}"
    VERBATIM)
  if(LC_ALL)
    add_custom_target(${name} ALL DEPENDS ${LC_OUTPUT})
  else()
    add_custom_target(${name} DEPENDS ${LC_OUTPUT})
  endif()
endfunction()
