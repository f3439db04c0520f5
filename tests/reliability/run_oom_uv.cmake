# Runs oom_uv_driver for n = 1, 2, ... until libuv's n-th allocation is
# never reached (the driver prints triggered=0). Each run must end cleanly
# (exit 0); a run in which libuv aborted (exit 3) passes only when one of
# the stack patterns in SITES matches the stack of the failed allocation.
# Prints how many injection points surfaced cleanly and how many were
# skipped as known libuv abort sites.
#
# cmake -DDRIVER=<exe> -DSITES=<file> -DWORK=<dir> [-DMODE=spread]
#       -P run_oom_uv.cmake
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY ${WORK})
file(STRINGS ${SITES} site_lines REGEX "^[^#]")
set(n 1)
set(clean 0)
set(skipped 0)
set(skipped_sites "")
while(TRUE)
  execute_process(COMMAND ${DRIVER} ${n} ${WORK} ${MODE}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 3)
    set(known "")
    foreach(line IN LISTS site_lines)
      string(REGEX REPLACE "[ \t].*" "" pattern "${line}")
      if(pattern AND out MATCHES "abort-site: [^\n]*\\(${pattern}\\+")
        set(known ${pattern})
        break()
      endif()
    endforeach()
    if(NOT known)
      message(FATAL_ERROR "libuv allocation ${n}: abort at a site not in "
        "${SITES}:\n${out}${err}")
    endif()
    math(EXPR skipped "${skipped} + 1")
    list(APPEND skipped_sites "${n}:${known}")
  elseif(NOT rc EQUAL 0)
    message(FATAL_ERROR "libuv allocation ${n} failing: exit ${rc}\n${out}${err}")
  elseif(out MATCHES "triggered=0")
    break()
  else()
    math(EXPR clean "${clean} + 1")
    string(REGEX MATCH "outcome: [^\n]*" outcome "${out}")
    message(STATUS "libuv allocation ${n}: ${outcome}")
  endif()
  math(EXPR n "${n} + 1")
  if(n GREATER 100000)
    message(FATAL_ERROR "the sweep does not end")
  endif()
endwhile()
math(EXPR points "${n} - 1")
message(STATUS "OOM libuv mode=${MODE} points=${points} clean=${clean} "
  "skipped=${skipped} (${skipped_sites})")
