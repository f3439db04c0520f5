#!/usr/bin/env bash
# Line and branch coverage of src/ and operators/ (issue 6, item 7), with
# gcc's gcov instrumentation and gcovr (Debian package gcovr):
#
#   1. configures and builds the `coverage` preset (--coverage, NDEBUG,
#      RX__ALWAYS/RX__NEVER folded to constants: src/rx-assert.h);
#   2. clears old counters and runs the whole test suite, stress tests
#      included;
#   3. writes the reports into build/coverage/:
#        coverage-summary.txt  two lines: "lines: <pct> (<hit>/<total>)",
#                              "branches: <pct> (<hit>/<total>)"
#        coverage-files.txt    per-file table, branch view, with the lines
#                              that hold uncovered branches
#        coverage.json         gcovr's JSON summary (per file)
#        coverage.html         gcovr's HTML report with per-line detail
#      and prints the summary and the files with the most uncovered
#      branches.
#
# Branch figures exclude branches gcc adds on lines with no source
# condition (--exclude-unreachable-branches) and branches inside uthash's
# HASH_* macros.
# Usage: scripts/coverage.sh [--no-build] [top-N]
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/coverage
do_build=1
if [ "${1:-}" = --no-build ]; then
    do_build=0
    shift
fi
top=${1:-15}
command -v gcovr >/dev/null ||
    { echo "coverage.sh: gcovr not installed (scripts/deps.sh gcovr)" >&2; exit 1; }

if [ "$do_build" = 1 ]; then
    cmake --preset coverage >/dev/null
    cmake --build --preset coverage
fi
find "$build" -name '*.gcda' -delete
ctest --preset coverage

# Branches inside uthash's macros (HASH_ADD, HASH_FIND, ...: bucket
# growth and collision chains) are uthash's decisions, not uvrx's; their
# lines still count for line coverage.
common=(--root . --object-directory "$build" --filter 'src/'
        --filter 'operators/' --exclude-unreachable-branches
        --exclude-branches-by-pattern '.*\bHASH_[A-Z_]+\(' -j 2)
timeout 600 gcovr "${common[@]}" --json-summary "$build/coverage.json" \
    --html-details "$build/coverage.html" >/dev/null
timeout 600 gcovr "${common[@]}" --branches --sort-percentage \
    --txt "$build/coverage-files.txt" >/dev/null

# The totals, from the JSON summary.
python3 - "$build" "$top" <<'PY'
import json, sys
build, top = sys.argv[1], int(sys.argv[2])
d = json.load(open(f"{build}/coverage.json"))
def pct(hit, total):
    return 100.0 * hit / total if total else 100.0
lines = (d["line_covered"], d["line_total"])
branches = (d["branch_covered"], d["branch_total"])
summary = (f"lines: {pct(*lines):.1f}% ({lines[0]}/{lines[1]})\n"
           f"branches: {pct(*branches):.1f}% ({branches[0]}/{branches[1]})\n")
open(f"{build}/coverage-summary.txt", "w").write(summary)
print("coverage of src/ and operators/:")
print(summary, end="")
files = sorted(d["files"],
               key=lambda f: f["branch_total"] - f["branch_covered"],
               reverse=True)
print(f"\nfiles with the most uncovered branches (top {top}):")
print(f"{'file':44} {'lines':>8} {'branches':>9} {'missed':>7}")
for f in files[:top]:
    missed = f["branch_total"] - f["branch_covered"]
    print(f"{f['filename']:44} {pct(f['line_covered'], f['line_total']):7.1f}%"
          f" {pct(f['branch_covered'], f['branch_total']):8.1f}% {missed:7d}")
PY
echo "per-file detail: $build/coverage-files.txt, $build/coverage.html"
