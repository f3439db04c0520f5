# Allocation failure inside libuv: oom_uv_driver fails libuv's n-th
# allocation in a process of its own; run_oom_uv.cmake runs it for
# n = 1, 2, ... until an n that is never reached.
add_executable(oom_uv_driver
  ${PROJECT_SOURCE_DIR}/tests/reliability/oom_uv_driver.c)
target_link_libraries(oom_uv_driver PRIVATE uvrx_testkit uvrx_static)
set_target_properties(oom_uv_driver PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests
  ENABLE_EXPORTS ON)
uvrx_warnings(oom_uv_driver)
# oom_uv: as the driver runs; oom_uv_spread: with descriptors opened so
# that libuv grows its watcher array after uv_loop_init() too.
foreach(mode IN ITEMS plain spread)
  if(mode STREQUAL "plain")
    set(name oom_uv)
    set(arg "")
  else()
    set(name oom_uv_${mode})
    set(arg -DMODE=${mode})
  endif()
  add_test(NAME ${name}
    COMMAND ${CMAKE_COMMAND}
            -DDRIVER=$<TARGET_FILE:oom_uv_driver>
            -DSITES=${PROJECT_SOURCE_DIR}/tests/reliability/uv_abort_sites.txt
            -DWORK=${PROJECT_BINARY_DIR}/${name}
            ${arg}
            -P ${PROJECT_SOURCE_DIR}/tests/reliability/run_oom_uv.cmake)
  set_tests_properties(${name} PROPERTIES TIMEOUT 300 LABELS reliability)
endforeach()
