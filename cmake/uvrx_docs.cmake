# `docs` target: Doxygen over the public headers, the Markdown pages in
# docs/ and docs/guide/ (not docs/design/, which holds internal notes) and
# the generated page of marble diagrams (cmake/uvrx_docs_marbles.cmake).
# Any Doxygen warning fails the target. Output: <build>/docs/html.

include(${CMAKE_CURRENT_LIST_DIR}/uvrx_docs_marbles.cmake)

file(GLOB UVRX_DOC_INPUTS CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/include/*.h
     ${PROJECT_SOURCE_DIR}/include/uvrx/*.h
     ${PROJECT_SOURCE_DIR}/docs/*.md
     ${PROJECT_SOURCE_DIR}/docs/guide/*.md)
list(SORT UVRX_DOC_INPUTS)
list(APPEND UVRX_DOC_INPUTS ${UVRX_DOCS_MARBLE_PAGE})
# Doxyfile lists are space-separated; quote each path.
set(UVRX_DOXYGEN_INPUT "")
foreach(f IN LISTS UVRX_DOC_INPUTS)
  string(APPEND UVRX_DOXYGEN_INPUT " \\\n    \"${f}\"")
endforeach()

find_package(Doxygen QUIET)
if(DOXYGEN_FOUND)
  configure_file(${PROJECT_SOURCE_DIR}/docs/Doxyfile.in
                 ${PROJECT_BINARY_DIR}/docs/Doxyfile @ONLY)
  add_custom_target(docs
    COMMAND Doxygen::doxygen ${PROJECT_BINARY_DIR}/docs/Doxyfile
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DEPENDS ${UVRX_DOC_INPUTS}
    COMMENT "Doxygen: ${PROJECT_BINARY_DIR}/docs/html/index.html"
    VERBATIM)
else()
  add_custom_target(docs
    COMMAND ${CMAKE_COMMAND} -E echo "doxygen not found: apt-get install doxygen"
    COMMAND ${CMAKE_COMMAND} -E false
    VERBATIM)
endif()
