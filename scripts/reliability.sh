#!/usr/bin/env bash
# Regenerates docs/reliability.md (issue 6, item 8) from what the lanes
# measured. Reads, when present:
#   build/dev                        ctest's test list, the conformance
#                                    runner's "conformance:" line
#   build/dev/valgrind-summary.txt   scripts/valgrind.sh
#   build/coverage/coverage.json     scripts/coverage.sh
#   scripts/reliability.d/<id>.sh    one section each, written by the lane
#                                    that measures it (see below)
# A figure whose input is missing says which script produces it.
#
# Sections measured by other work (fuzzing, races, allocation failure,
# misbehaving sources, Reactive Streams rules) are plug-ins: an executable
# scripts/reliability.d/<id>.sh that prints the section's Markdown body
# (no heading) replaces the placeholder of section <id>. Ids: rs-rules,
# fuzzing, races, oom, misbehaving, sanitizers.
#
# Usage: scripts/reliability.sh [--run] [output file]
#   --run  first runs scripts/coverage.sh and scripts/valgrind.sh (builds
#          build/dev when missing); without it, only reads.
set -euo pipefail
cd "$(dirname "$0")/.."
run=0
if [ "${1:-}" = --run ]; then
    run=1
    shift
fi
out=${1:-docs/reliability.md}
dev=build/dev
cov=build/coverage

if [ "$run" = 1 ]; then
    if [ ! -f "$dev/CTestTestfile.cmake" ]; then
        cmake --preset dev && cmake --build --preset dev
    fi
    bash scripts/coverage.sh || true
    bash scripts/valgrind.sh "$dev" || true
fi

# ---- figures -------------------------------------------------------------

missing() { printf 'not measured (run `%s`)' "$1"; }

ctest_total=$(missing "cmake --preset dev && cmake --build --preset dev")
labels=""
if [ -f "$dev/CTestTestfile.cmake" ]; then
    ctest_total=$(ctest --test-dir "$dev" -N 2>/dev/null |
        sed -n 's/^Total Tests: //p')
    labels=$(ctest --test-dir "$dev" -N --print-labels 2>/dev/null |
        sed -n 's/^  *//p' | tr '\n' ' ')
fi
cases=$(cat tests/*/test_*.c tests/conformance/conformance_main.c |
    grep -c 'rx_unit_test(' || true)
stress_cases=$(cat tests/stress/test_*.c 2>/dev/null |
    grep -c 'rx_unit_test(' || true)
skip_cases=$(grep -rl 'rx_skip_if_stress();' tests --include='*.c' |
    xargs -r grep -c 'rx_skip_if_stress();' | awk -F: '{s += $2} END {print s + 0}')

conformance=$(missing "cmake --build --preset dev")
if [ -x "$dev/tests/test_conformance" ]; then
    conformance=$("$dev/tests/test_conformance" 2>/dev/null |
        sed -n 's/^conformance: //p' || true)
    [ -n "$conformance" ] || conformance="the conformance runner printed no summary line"
fi

valgrind=$(missing "scripts/valgrind.sh")
[ -f "$dev/valgrind-summary.txt" ] &&
    valgrind=$(sed 's/^valgrind: //' "$dev/valgrind-summary.txt")

cov_lines=$(missing "scripts/coverage.sh")
cov_branches=$cov_lines
cov_table=""
if [ -f "$cov/coverage.json" ]; then
    read -r cov_lines cov_branches < <(python3 - "$cov/coverage.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def f(hit, total):
    return f"{100.0 * hit / total if total else 100.0:.1f}%_({hit}/{total})"
print(f(d["line_covered"], d["line_total"]),
      f(d["branch_covered"], d["branch_total"]))
PY
)
    cov_lines=${cov_lines//_/ }
    cov_branches=${cov_branches//_/ }
    cov_table=$(python3 - "$cov/coverage.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def p(hit, total):
    return f"{100.0 * hit / total if total else 100.0:.1f}%"
files = sorted(d["files"], key=lambda f: f["branch_total"] - f["branch_covered"],
               reverse=True)
print("| file | lines | branches | uncovered branches |")
print("|---|---:|---:|---:|")
for f in files[:15]:
    print(f"| `{f['filename']}` | {p(f['line_covered'], f['line_total'])} | "
          f"{p(f['branch_covered'], f['branch_total'])} | "
          f"{f['branch_total'] - f['branch_covered']} |")
PY
)
fi

defensive=$(grep -rhoE 'RX__(ALWAYS|NEVER)\(' src operators --include='*.c' |
    wc -l)
defensive_files=$(grep -rlE 'RX__(ALWAYS|NEVER)\(' src operators --include='*.c' |
    wc -l)
symbols=$(wc -l <tests/install/exported_symbols.txt)
headers=$(ls include/uvrx.h include/uvrx/*.h | wc -l)
codes=$(sed -n '/#define RX_ERRNO_MAP/,/^$/p' include/uvrx/error.h |
    grep -c 'XX(' || true)
supps=$(find . -path ./build -prune -o -name '*.supp' -print | tr '\n' ' ')

# ---- sections ------------------------------------------------------------

# section <id> <title> <placeholder text>: the plug-in's output, or the
# placeholder, marked so that a reader sees what is not yet measured.
section() {
    local id=$1 title=$2 text=$3 plug=scripts/reliability.d/$1.sh
    printf '\n## %s\n\n' "$title"
    if [ -x "$plug" ]; then
        "$plug"
    else
        printf '<!-- placeholder: %s (add an executable %s) -->\n' "$id" "$plug"
        printf '_Not measured yet._ %s\n' "$text"
    fi
}

{
    cat <<EOF
# Reliability

The evidence behind uvrx's promise -- no leak, no crash and no lost error
under bad input, allocation failure and thread races -- as measured by the
lanes of \`.ci/run\`. Generated by \`scripts/reliability.sh\` (\`--run\`
measures first); do not edit by hand. Generated $(date -u +%Y-%m-%d) from
commit \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`.

| figure | value |
|---|---|
| tests registered with CTest | ${ctest_total} |
| cmocka test cases (rx_unit_test entries) | ${cases} (${stress_cases} in tests/stress/) |
| conformance | ${conformance} |
| line coverage of src/ and operators/ | ${cov_lines} |
| branch coverage of src/ and operators/ | ${cov_branches} |
| valgrind over the non-stress tests | ${valgrind} |
| exported symbols (all \`rx_\`) | ${symbols} |
| public headers compiling alone | ${headers} |
| error codes with a name and a message | ${codes} |
EOF

    section rs-rules "Reactive Streams rules" \
        "Rules with an automated test, out of 43 (processor rules 4.1-4.2 for subjects), naming the untestable ones (issue 6, item 8)."

    cat <<EOF

## Coverage

Line and branch coverage of \`src/\` and \`operators/\` over the whole test
suite, measured as SQLite does: gcc \`--coverage\` at -O0 with \`NDEBUG\`
(no \`assert()\` branches) and the defensive checks \`RX__ALWAYS()\` /
\`RX__NEVER()\` of \`src/rx-assert.h\` folded to constants, so only
branches a test can reach are counted (${defensive} such checks in
${defensive_files} files). Branches gcc adds on lines without a source
condition are left out (gcovr \`--exclude-unreachable-branches\`).
\`scripts/coverage.sh\` prints the same figures and writes the per-line
detail to \`build/coverage/coverage.html\`.

- lines: ${cov_lines}
- branches: ${cov_branches} (target: 90 %)

Files with the most uncovered branches:

${cov_table:-$(missing scripts/coverage.sh)}

## Leak checks

- valgrind (\`scripts/valgrind.sh\`: \`--leak-check=full
  --show-reachable=yes --error-exitcode=1 --errors-for-leak-kinds=all\`, no
  suppressions): ${valgrind}. Left out: the tests labelled \`stress\`,
  \`install\` and \`project\`, the \`oom_uv*\` process sweeps, and ${skip_cases} heavy cases inside other
  files that call \`rx_skip_if_stress()\` (the 100 MiB TCP transfer, the
  10^6 request(1) loops, 10^6 repeats).
- Every test function that opens a libuv loop ends it with
  \`uv_loop_close() == 0\` (CTest \`loops_closed\` checks the sources).
- 10^6 subscribe / dispose cycles on one subject and on one interval on
  the virtual scheduler (CTest \`subscribe_cycles\`, label \`stress\`): the
  live-object count is back at its start value after every cycle and the
  heap (glibc \`mallinfo2\`) does not grow.
- Every test's teardown fails unless \`rx_live_objects() == 0\`.

## ABI and header hygiene

- \`libuvrx.so\` exports ${symbols} symbols, all \`rx_[a-z]*\` (hidden
  visibility plus \`cmake/uvrx.map\`), compared with
  \`tests/install/exported_symbols.txt\`; \`libuvrx.a\` defines no global
  outside \`rx_\` (CTest \`install_consumer\`).
- ${headers} public headers each compile alone as C11 with \`-Wall
  -Wextra -Wpedantic -Werror\`, twice in a row, and as C++11 and C++20 (CTest
  \`public_headers\`).
- ${codes} error codes: each has its own \`rx_err_name()\` and a distinct
  \`rx_strerror()\` message, and the \`rx_errno\` enum and
  \`RX_ERRNO_MAP\` list the same codes (CTest \`error\`).
EOF

    section sanitizers "Sanitizers" \
        "ASan/UBSan and TSan lanes run the whole suite; target 0 reports. Suppression files in the repository: ${supps:-none}."
    section fuzzing "Differential fuzzing" \
        "Executions, corpus size and findings per libFuzzer target (issue 6, item 1)."
    section races "Races" \
        "Race scenarios x iterations under TSan and ASan, failures (issue 6, item 2)."
    section oom "Allocation failure" \
        "Injection points survived per operator family in the fail-once and fail-forever modes, and the libuv call sites that abort instead (issue 6, item 3)."
    section misbehaving "Misbehaving sources" \
        "Operators checked against protocol-breaking sources (issue 6, item 4)."

    cat <<EOF

## Running the long versions by hand

\`\`\`sh
scripts/coverage.sh                  # coverage preset, whole suite, gcovr
scripts/valgrind.sh build/dev        # valgrind over the non-stress tests
ctest --preset dev -L stress       # the stress tests alone
scripts/reliability.sh --run         # measure, then rewrite this file
\`\`\`
EOF
    [ -n "$labels" ] && printf '\nCTest labels: %s\n' "$labels"
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "reliability.sh: wrote $out"
