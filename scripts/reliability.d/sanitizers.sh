#!/usr/bin/env bash
# Section "Sanitizers" of docs/reliability.md: which sanitizer lanes
# .ci/run runs and with which options (read from .ci/run and
# CMakeLists.txt, so the text follows them), whether the repository
# silences anything, and what the last CTest run of build/asan and
# build/tsan reported (their Testing/Temporary/LastTest.log).
#
# Environment: UVRX_ASAN_BUILD, UVRX_TSAN_BUILD (default build/asan,
# build/tsan) name the build trees to read.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The value a lane of .ci/run exports for <VAR>, e.g. ASAN_OPTIONS.
ci_opt() {
    sed -n "s/^ *export $1=\\([^ ]*\\).*/\\1/p" .ci/run | head -1
}
# The -f flags CMakeLists.txt adds for option <UVRX_X> (its list(APPEND)
# lines, up to the closing parenthesis).
cmake_flags() {
    awk -v opt="$1" '
        $0 ~ "^(else)?if\\(" opt "\\)" { on = 1; next }
        on && /^(endif|else)/ { exit }
        on { line = line " " $0 }
        END { print line }' CMakeLists.txt |
        grep -oE -- '-f[a-z-]+(=[a-z,]+)?' | tr '\n' ' ' | sed 's/ $//'
}

asan_opts=$(ci_opt ASAN_OPTIONS)
ubsan_opts=$(ci_opt UBSAN_OPTIONS)
tsan_opts=$(ci_opt TSAN_OPTIONS)
asan_flags=$(cmake_flags UVRX_ASAN)
tsan_flags=$(cmake_flags UVRX_TSAN)

echo "Lanes of \`.ci/run\`, each a separate build of the library, the tests"
echo "and the benchmarks:"
echo
echo "- **asan** (preset \`asan\`: \`${asan_flags:-?}\`): the whole CTest"
echo "  suite, stress tests included, with \`ASAN_OPTIONS=${asan_opts:-?}\`"
echo "  and \`UBSAN_OPTIONS=${ubsan_opts:-?}\`. LeakSanitizer is on, and"
echo "  every UBSan finding aborts its test (no recovery)."
echo "- **tsan** (preset \`tsan\`: \`${tsan_flags:-?}\`): the whole CTest"
echo "  suite with \`TSAN_OPTIONS=${tsan_opts:-?}\`; the first race report"
echo "  fails its test."
echo "- **valgrind** (\`scripts/valgrind.sh\` over build/dev): memcheck over"
echo "  the non-stress tests (see *Leak checks* above)."
echo

# Anything that would hide a report: suppression files, suppression
# options, sanitizer interface calls or no_sanitize attributes.
hits=$(grep -rlE --exclude-dir=build --exclude-dir=.git \
    --exclude=sanitizers.sh \
    -e 'suppressions=' -e '__(tsan|asan|lsan|ubsan|msan)_' \
    -e 'no_sanitize' -e '__has_feature\((address|thread)_sanitizer' \
    . 2>/dev/null | sort | tr '\n' ' ' || true)
supps=$(find . \( -path ./build -o -path ./.git \) -prune -o \
    -name '*.supp' -print | sort | tr '\n' ' ')
if [ -z "$hits$supps" ]; then
    echo "Nothing is silenced: the repository has no suppression file, no"
    echo "\`suppressions=\` option, no \`no_sanitize\` attribute and no call"
    echo "into a sanitizer's interface; only the runtimes' own built-in"
    echo "suppressions (for libc) apply."
else
    echo "**Suppressions present:** ${supps}${hits}-- each must say why."
fi
echo

# report <lane> <build dir> <pattern> <what it counts> [<pattern> <what>]
report() {
    local lane=$1 log=$2/Testing/Temporary/LastTest.log
    shift 2
    if [ ! -f "$log" ]; then
        echo "| $lane | not measured (run \`cmake --preset $lane &&" \
            "cmake --build --preset $lane && ctest --preset $lane\`) | | |"
        return
    fi
    local started run total passed failed found=""
    started=$(sed -n 's/^Start testing: //p' "$log" | head -1)
    run=$(grep -cE '^[0-9]+/[0-9]+ Testing: ' "$log" || true)
    total=$(sed -nE 's/^[0-9]+\/([0-9]+) Testing: .*/\1/p' "$log" | head -1)
    passed=$(grep -c '^Test Passed\.' "$log" || true)
    failed=$(grep -c '^Test Failed' "$log" || true)
    while [ $# -ge 2 ]; do
        found+="$(grep -c -- "$1" "$log" || true) $2, "
        shift 2
    done
    local scope="$run of ${total:-?} tests"
    [ "$run" = "${total:-}" ] || scope+=" (a partial run)"
    echo "| $lane | $started: $scope, $passed passed, $failed failed |" \
        "${found%, } | \`$log\` |"
}

echo "Last CTest run of each sanitizer build tree on this machine (CTest"
echo "keeps the output of every test in \`Testing/Temporary/LastTest.log\`;"
echo "the reports counted are the sanitizers' own headers):"
echo
echo "| lane | tests run | reports | log |"
echo "|---|---|---|---|"
report asan "${UVRX_ASAN_BUILD:-build/asan}" \
    'ERROR: AddressSanitizer' 'AddressSanitizer' \
    'ERROR: LeakSanitizer' 'LeakSanitizer' \
    'runtime error:' 'UBSan'
report tsan "${UVRX_TSAN_BUILD:-build/tsan}" \
    'WARNING: ThreadSanitizer' 'ThreadSanitizer'
