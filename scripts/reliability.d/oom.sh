#!/usr/bin/env bash
# Section "Allocation failure" of docs/reliability.md: runs the OOM table
# tests of build/dev and summarises their "OOM ..." lines, then lists the
# libuv sites skipped because libuv aborts there.
set -euo pipefail
b=${UVRX_BUILD:-build/dev}/tests
out=$("$b/test_oom_sync" 2>&1; "$b/test_oom_async" 2>&1) || true
echo "Every operator family, each allocation failed in turn (N = 1, 2, ..."
echo "until a run succeeds) in two modes: fail once then recover, and fail"
echo "forever after the first failure (tests/reliability/test_oom_*.c). Each"
echo "run ends in NULL / a negative code / one on_error(RX_ENOMEM) / the"
echo "clean result, with zero live objects and a fresh pipeline working"
echo "after it."
echo
echo "| family | rows | points survived (once) | points survived (forever) | runs |"
echo "|---|---:|---:|---:|---:|"
printf '%s\n' "$out" | sed -n 's/^OOM family=\([a-z_]*\)_rows rows=\([0-9]*\) once=\([0-9]*\) forever=\([0-9]*\) runs=\([0-9]*\).*/| \1 | \2 | \3 | \4 | \5 |/p'
printf '%s\n' "$out" | awk '/^OOM family=/ {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); t[kv[1]] += kv[2] } }
    END { printf "| **total** | %d | %d | %d | %d |\n", t["rows"], t["once"], t["forever"], t["runs"] }'
echo
echo "libuv's own allocator replaced (\`uv_replace_allocator\`, one process"
echo "per injection point, tests/reliability/oom_uv_driver.c): failures libuv"
echo "reports surface as an error code or on_error. Sites where libuv 1.44"
echo "aborts instead, skipped:"
echo
grep -v '^#' tests/reliability/uv_abort_sites.txt | sed '/^$/d; s/^\([^ ]*\) *\(.*\)/- `\1`: \2/'
