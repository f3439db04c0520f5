#!/usr/bin/env bash
# Runs the test suite under valgrind's memcheck (issue 6, item 5), through
# CTest's memcheck mode, in an already built tree (default build/dev):
#
#   valgrind --leak-check=full --show-reachable=yes --error-exitcode=1
#            --errors-for-leak-kinds=all
#
# so any invalid access and any block still allocated at exit -- even one
# still reachable -- fails its test. No suppression file is used.
#
# Left out: tests labelled `stress` (tests/stress/: the 10^6-cycle checks),
# `install` and `project` (shell scripts, not uvrx code), the oom_uv* tests
# (a cmake script that starts one driver process per injection point;
# valgrind would watch cmake, not the drivers), and, inside the other
# binaries, the cases that call rx_skip_if_stress() (the 100 MiB TCP
# transfer, the 10^6 request(1) loops): UVRX_SKIP_STRESS=1 skips them.
# The race scenarios (tests/race/) run 100 times each instead of 2,500:
# valgrind serialises threads, so the races themselves are the asan and
# tsan lanes' job; here they are checked for leaks and memory errors.
#
# Prints one summary line, also written to <build>/valgrind-summary.txt for
# scripts/reliability.sh:
#   valgrind: <n> tests, <f> failed, <e> errors, <b> bytes in use at exit
# Usage: scripts/valgrind.sh [build dir] [extra ctest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}
shift || true
command -v valgrind >/dev/null ||
    { echo "valgrind.sh: valgrind not installed (scripts/deps.sh)" >&2; exit 1; }
[ -f "$build/CTestTestfile.cmake" ] ||
    { echo "valgrind.sh: $build is not a configured build tree" >&2; exit 1; }

opts="--leak-check=full --show-reachable=yes --error-exitcode=1"
opts+=" --errors-for-leak-kinds=all --num-callers=30"
tmp=$build/Testing/Temporary
rm -f "$tmp"/MemoryChecker.*.log
rc=0
# CTest warns that DartConfiguration.tcl is missing (the project does not
# include(CTest)); memcheck works without it.
UVRX_SKIP_STRESS=1 UVRX_RACE_ITERATIONS=${UVRX_RACE_ITERATIONS:-100} \
    ctest --test-dir "$build" -T memcheck -j 2 \
    --output-on-failure -LE 'stress|install|project' -E '^oom_uv' \
    --overwrite MemoryCheckCommand="$(command -v valgrind)" \
    --overwrite MemoryCheckCommandOptions="$opts" "$@" \
    2> >(grep -v 'DartConfiguration.tcl' >&2) | tee "$build/valgrind.log" ||
    rc=$?

logs=("$tmp"/MemoryChecker.*.log)
[ -e "${logs[0]}" ] || { echo "valgrind.sh: no memcheck logs" >&2; exit 1; }
tests=${#logs[@]}
failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed.*/\1/p' \
    "$build/valgrind.log" | tail -1)
errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "${logs[@]}" |
    awk '{s += $1} END {print s + 0}')
inuse=$(sed -n 's/.*in use at exit: \([0-9,]*\) bytes.*/\1/p' "${logs[@]}" |
    tr -d , | awk '{s += $1} END {print s + 0}')
line="valgrind: $tests tests, ${failed:-?} failed, $errors errors, $inuse bytes in use at exit"
echo "$line" | tee "$build/valgrind-summary.txt"
[ "$rc" -eq 0 ] && [ "$errors" -eq 0 ] && [ "$inuse" -eq 0 ]
