# Differential fuzzing against the reference model (tests/fuzz/fz.h).
#
# Always: test fuzz_replay_pipeline replays every committed input under
# tests/fuzz/corpus/pipeline/ through the same decoder and checks as the
# fuzzer, in whatever preset is building.
# With -DUVRX_FUZZ=ON (preset `fuzz`, clang): the libFuzzer target
# fuzz_pipeline (build/fuzz/tests/fuzz_pipeline).
option(UVRX_FUZZ "Build the libFuzzer targets (clang only)" OFF)

set(UVRX_FUZZ_DIR ${PROJECT_SOURCE_DIR}/tests/fuzz)
add_library(uvrx_fuzz_check STATIC
  ${UVRX_FUZZ_DIR}/fz_model.c ${UVRX_FUZZ_DIR}/fz_decode.c
  ${UVRX_FUZZ_DIR}/fz_run.c)
target_link_libraries(uvrx_fuzz_check PUBLIC uvrx_testkit uvrx_static)
uvrx_warnings(uvrx_fuzz_check)

add_executable(fz_replay ${UVRX_FUZZ_DIR}/fz_replay.c)
target_link_libraries(fz_replay PRIVATE uvrx_fuzz_check)
set_target_properties(fz_replay PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
uvrx_warnings(fz_replay)
add_test(NAME fuzz_replay_pipeline
  COMMAND fz_replay ${UVRX_FUZZ_DIR}/corpus/pipeline)
set_tests_properties(fuzz_replay_pipeline PROPERTIES TIMEOUT 300 LABELS fuzz)

if(UVRX_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "UVRX_FUZZ needs clang (libFuzzer)")
  endif()
  add_executable(fuzz_pipeline ${UVRX_FUZZ_DIR}/fuzz_pipeline.c)
  target_link_libraries(fuzz_pipeline PRIVATE uvrx_fuzz_check)
  target_link_options(fuzz_pipeline PRIVATE -fsanitize=fuzzer)
  set_target_properties(fuzz_pipeline PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  uvrx_warnings(fuzz_pipeline)
endif()
