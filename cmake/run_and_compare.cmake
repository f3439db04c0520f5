# cmake -DPROGRAM=<exe> -DEXPECTED=<file> -P run_and_compare.cmake
# Runs PROGRAM with the arguments in ARGS (separated by "|"); fails unless
# it exits 0 and its stdout equals the contents of EXPECTED byte for byte.
# stderr passes through.
cmake_minimum_required(VERSION 3.25)
string(REPLACE "|" ";" arg_list "${ARGS}")
execute_process(COMMAND ${PROGRAM} ${arg_list} OUTPUT_VARIABLE actual
                RESULT_VARIABLE rc)
if(NOT rc STREQUAL "0")
  message(NOTICE "--- stdout ---\n${actual}--- end ---")
  message(FATAL_ERROR "${PROGRAM} exited with '${rc}'")
endif()
file(READ ${EXPECTED} expected)
string(COMPARE EQUAL "${actual}" "${expected}" same)
if(NOT same)
  # NOTICE prints verbatim, so whitespace differences stay visible.
  message(NOTICE "--- expected ---\n${expected}--- actual ---\n${actual}"
                 "--- end ---")
  message(FATAL_ERROR "stdout of ${PROGRAM} differs from ${EXPECTED}")
endif()
