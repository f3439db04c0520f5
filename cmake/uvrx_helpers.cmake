# Small helpers shared by the root CMakeLists.txt and bench/.

# uvrx_warnings(<target>): the project's warning set (and -Werror when
# UVRX_WERROR is ON). Use it on every target built from uvrx's own code.
function(uvrx_warnings target)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    return()
  endif()
  if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(UVRX_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()

# uvrx_library_usage(<target>): what a consumer of uvrx / uvrx_static gets.
# The POSIX define is PUBLIC because the public headers include <uv.h>,
# which needs POSIX types under -std=c11.
function(uvrx_library_usage target)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_definitions(${target} PUBLIC _POSIX_C_SOURCE=200809L)
  target_link_libraries(${target}
    PUBLIC PkgConfig::UVRX_LIBUV PRIVATE Threads::Threads m)
endfunction()
