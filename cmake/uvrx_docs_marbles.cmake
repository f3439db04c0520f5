# Marble diagrams for the docs: the host tool marble2svg (tools/) draws
# every case of tests/marbles/*.txt as an SVG into the Doxygen HTML output
# (<build>/docs/html/marbles/<op>-<n>.svg) and writes the page that shows
# them (<build>/docs/marbles.md, page "Marble diagrams"). Included by
# uvrx_docs.cmake, which adds the page to Doxygen's input and makes the
# `docs` target depend on it. Sets UVRX_DOCS_MARBLE_PAGE.
#
# When cross-compiling, point UVRX_MARBLE2SVG_EXECUTABLE at a marble2svg
# built for the build machine; otherwise the tool is built here.

set(UVRX_MARBLE2SVG_EXECUTABLE "" CACHE FILEPATH
    "A prebuilt marble2svg to use instead of building one")

if(UVRX_MARBLE2SVG_EXECUTABLE)
  set(uvrx_marble2svg ${UVRX_MARBLE2SVG_EXECUTABLE})
else()
  add_executable(marble2svg ${PROJECT_SOURCE_DIR}/tools/marble2svg.c)
  uvrx_warnings(marble2svg)
  set(uvrx_marble2svg marble2svg) # a target: CMake runs and tracks it
endif()

# The tool's test (tests/tools/test_marble2svg.c, registered by the test
# glob) calls the tool's functions, so it compiles the tool without main.
if(TARGET test_marble2svg)
  target_sources(test_marble2svg PRIVATE
    ${PROJECT_SOURCE_DIR}/tools/marble2svg.c)
  target_include_directories(test_marble2svg PRIVATE
    ${PROJECT_SOURCE_DIR}/tools)
  target_compile_definitions(test_marble2svg PRIVATE
    MARBLE2SVG_NO_MAIN
    UVRX_MARBLES_DIR="${PROJECT_SOURCE_DIR}/tests/marbles")
endif()

file(GLOB UVRX_MARBLE_FILES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/tests/marbles/*.txt)
list(SORT UVRX_MARBLE_FILES)

set(UVRX_DOCS_MARBLE_PAGE ${PROJECT_BINARY_DIR}/docs/marbles.md)
set(uvrx_marble_dir ${PROJECT_BINARY_DIR}/docs/html/marbles)
# The pictures are named after the cases, which only the tool counts, so
# the page stands for all of them; the folder is emptied first so that a
# removed case leaves no stale picture behind.
add_custom_command(
  OUTPUT ${UVRX_DOCS_MARBLE_PAGE}
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${uvrx_marble_dir}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${uvrx_marble_dir}
  COMMAND ${uvrx_marble2svg} -o ${uvrx_marble_dir}
          --page ${UVRX_DOCS_MARBLE_PAGE} --img-dir marbles
          ${UVRX_MARBLE_FILES}
  DEPENDS ${UVRX_MARBLE_FILES} ${uvrx_marble2svg}
  COMMENT "marble2svg: ${uvrx_marble_dir}"
  VERBATIM)
