# The fuzz targets: tests/fuzz/fuzz_NAME.c, each exercising analyzer/NAME.c. A
# target whose module does not exist (yet) is left out.
file(GLOB _lc_fuzz_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
set(LC_FUZZ_TARGETS)
foreach(src ${_lc_fuzz_sources})
  get_filename_component(_name ${src} NAME_WE)
  string(REGEX REPLACE "^fuzz_" "" _name ${_name})
  if(EXISTS ${CMAKE_SOURCE_DIR}/analyzer/${_name}.c)
    list(APPEND LC_FUZZ_TARGETS ${_name})
  endif()
endforeach()
list(SORT LC_FUZZ_TARGETS)
