#!/usr/bin/env bash
# CTest `loops_closed` (issue 6, item 5; libuv's own rule): every test
# function (test_*) in tests/ that opens a libuv loop also ends it with
# uv_loop_close() -- directly or through a helper that calls it (each such
# helper asserts the result is 0) -- so a handle left open fails the test.
#
# A function opens a loop when it calls uv_loop_init(), uv_default_loop()
# or a helper that does without closing it (an "opener", e.g. io_loop_new);
# it closes one when it calls uv_loop_close() or a helper that does (a
# "closer", e.g. hop_close_loop, io_loop_end). Helpers are found across
# all of tests/, one level of calls deep, which is how the tests use them.
set -u
root=${1:-.}
files=$(cd "$root" && grep -rlE 'uv_loop_init|uv_default_loop|uv_loop_close' \
    tests --include='*.c' --include='*.h' | sort)
[ -n "$files" ] || { echo "loops_closed: no test uses a loop"; exit 0; }
cd "$root" || exit 1
# shellcheck disable=SC2086 # one word per file name
awk '
    # Pass 1 (NR == FNR is not usable across many files, so the file list
    # is read twice: the first time with pass = 1).
    FNR == 1 { if (FILENAME == first) pass++; if (pass == 0) { pass = 1; first = FILENAME } }
    /^[a-z_][a-z0-9_]*\(/ {
        fn = $0; sub(/\(.*/, "", fn); infn = 1; body = ""; next
    }
    infn && !/^}/ { body = body "\n" $0; next }
    infn && /^}/ {
        infn = 0
        if (pass == 1) {
            direct_open = body ~ /uv_loop_init|uv_default_loop\(\)/
            direct_close = body ~ /uv_loop_close/
            if (direct_close) closer[fn] = 1
            else if (direct_open && fn !~ /^test_/) opener[fn] = 1
            next
        }
        if (fn !~ /^test_/) next
        opens = body ~ /uv_loop_init|uv_default_loop\(\)/
        closes = body ~ /uv_loop_close/
        for (h in opener) if (index(body, h "(")) opens = 1
        for (h in closer) if (index(body, h "(")) closes = 1
        if (!opens) next
        checked++
        if (!closes) {
            print FILENAME ": " fn " opens a loop and does not close it"
            bad++
        }
    }
    END {
        if (bad) exit 1
        printf "loops_closed: %d test functions open a loop, all close it\n", checked
    }
' $files $files
