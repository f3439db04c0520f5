# Examples: each examples/<name>.c is one program, target <name>, built
# into <build>/examples/<name>. If examples/<name>.expected exists, CTest
# test example_<name> runs it and compares stdout with that file exactly,
# passing the arguments listed in examples/<name>.args when that exists
# (one per line; e.g. --virtual, so a timed example runs on virtual time;
# @SRC@ is replaced by the source directory).

file(GLOB UVRX_EXAMPLE_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/examples/*.c)
# Globbed only so that adding an .expected file re-runs configure.
file(GLOB UVRX_EXAMPLE_EXPECTED CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/examples/*.expected)
foreach(src IN LISTS UVRX_EXAMPLE_SOURCES)
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE uvrx_static)
  set_target_properties(${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/examples)
  uvrx_warnings(${name})
  set(expected ${PROJECT_SOURCE_DIR}/examples/${name}.expected)
  if(UVRX_BUILD_TESTS AND EXISTS ${expected})
    set(args "")
    if(EXISTS ${PROJECT_SOURCE_DIR}/examples/${name}.args)
      file(STRINGS ${PROJECT_SOURCE_DIR}/examples/${name}.args args)
      # @SRC@ stands for the source tree, for example data files.
      string(REPLACE "@SRC@" "${PROJECT_SOURCE_DIR}" args "${args}")
      string(REPLACE ";" "|" args "${args}")
    endif()
    add_test(NAME example_${name}
      COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:${name}>
              -DEXPECTED=${expected} "-DARGS=${args}"
              -P ${PROJECT_SOURCE_DIR}/cmake/run_and_compare.cmake)
    set_tests_properties(example_${name} PROPERTIES
      TIMEOUT 60 LABELS example)
  endif()
endforeach()
