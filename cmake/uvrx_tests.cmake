# Tests: the support library, rx_add_test(), auto-registration of every
# tests/**/test_*.c, and the install/consume check.

pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

# tests/support/*.c: helpers shared by test binaries (e.g. the failing
# allocator). Header-only until a .c file appears there.
file(GLOB UVRX_TEST_SUPPORT_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/tests/support/*.c)
if(UVRX_TEST_SUPPORT_SOURCES)
  add_library(uvrx_test_support STATIC ${UVRX_TEST_SUPPORT_SOURCES})
  target_include_directories(uvrx_test_support
    PUBLIC ${PROJECT_SOURCE_DIR}/tests/support
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(uvrx_test_support
    PUBLIC uvrx_testkit uvrx_static PkgConfig::CMOCKA)
  # Where rx_marble_file.c finds the marble case files.
  target_compile_definitions(uvrx_test_support
    PRIVATE UVRX_MARBLES_DIR="${PROJECT_SOURCE_DIR}/tests/marbles")
  uvrx_warnings(uvrx_test_support)
else()
  add_library(uvrx_test_support INTERFACE)
  target_include_directories(uvrx_test_support
    INTERFACE ${PROJECT_SOURCE_DIR}/tests/support)
endif()

# rx_add_test(<name> <sources>... [TIMEOUT <s>] [LABELS <label>...])
# Builds tests/test_<name> (linked statically, so tests may call rx__
# internals and include src/ headers) and registers CTest test <name>.
function(rx_add_test name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "TIMEOUT" "LABELS")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set(exe test_${name})
  add_executable(${exe} ${ARG_UNPARSED_ARGUMENTS})
  target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${exe} PRIVATE
    uvrx_test_support uvrx_testkit uvrx_static PkgConfig::CMOCKA)
  set_target_properties(${exe} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  uvrx_warnings(${exe})
  add_test(NAME ${name} COMMAND ${exe})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()

# One binary per tests/<kind>/test_<op>.c, test name <op>, label <kind>.
# Helpers shared by several tests go in tests/support/ (never test_*.c).
file(GLOB_RECURSE UVRX_TEST_FILES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/tests/test_*.c)
list(FILTER UVRX_TEST_FILES EXCLUDE REGEX "/tests/(support|install)/")
list(SORT UVRX_TEST_FILES)
foreach(src IN LISTS UVRX_TEST_FILES)
  get_filename_component(base ${src} NAME_WE)
  string(REGEX REPLACE "^test_" "" name ${base})
  get_filename_component(dir ${src} DIRECTORY)
  file(RELATIVE_PATH kind ${PROJECT_SOURCE_DIR}/tests ${dir})
  if(TARGET test_${name})
    # Test names are global: two kinds cannot both have test_<op>.c.
    message(FATAL_ERROR "duplicate test name '${name}': "
            "${src} and ${UVRX_TEST_SRC_${name}}; rename one of them")
  endif()
  set(UVRX_TEST_SRC_${name} ${src})
  rx_add_test(${name} ${src} LABELS ${kind})
endforeach()

# tests/tests.cmake, if present, runs here: extra rx_add_test() calls
# (multi-file tests) and property tweaks such as longer stress timeouts.
if(EXISTS ${PROJECT_SOURCE_DIR}/tests/tests.cmake)
  include(${PROJECT_SOURCE_DIR}/tests/tests.cmake)
endif()

# Install into a temporary prefix and build small consumers against it
# (pkg-config and find_package). Sanitizer/coverage flags are passed on
# because an instrumented libuvrx.so needs an instrumented executable.
list(JOIN UVRX_INSTRUMENT_FLAGS " " uvrx_consumer_flags)
add_test(NAME install_consumer
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/install/check_install.sh
          ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR} ${CMAKE_COMMAND}
          ${CMAKE_C_COMPILER} "${uvrx_consumer_flags}")
set_tests_properties(install_consumer PROPERTIES TIMEOUT 300 LABELS install)
