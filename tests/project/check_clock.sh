#!/usr/bin/env bash
# DESIGN.md section 4: operators read time and schedule only through
# their scheduler. No clock call (clock_gettime, uv_hrtime, gettimeofday,
# time()) may appear in src/ or operators/ outside the scheduler sources
# (src/sched*.c). Comments are stripped first (gcc -fpreprocessed -E), so
# prose that mentions a clock does not count.
set -u
root=${1:-.}
status=0
for f in $(cd "$root" && ls src/*.c src/*.h operators/*/*.c operators/*/*.h); do
    case "$f" in src/sched*.c) continue ;; esac
    hits=$(gcc -fpreprocessed -dD -E -P "$root/$f" 2>/dev/null |
        grep -nE '\b(clock_gettime|uv_hrtime|gettimeofday)[[:space:]]*\(|(^|[^A-Za-z0-9_])time[[:space:]]*\(' || true)
    if [ -n "$hits" ]; then
        echo "clock call outside the scheduler sources in $f:"
        echo "$hits"
        status=1
    fi
done
[ $status -eq 0 ] && echo "no clock calls outside the scheduler sources"
exit $status
