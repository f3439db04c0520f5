#!/usr/bin/env bash
# Section "Races" of docs/reliability.md: what the race harness does and
# its scenarios, then the time per scenario when the race tests ran in
# build/dev (their "RACE ..." lines).
set -euo pipefail
b=${UVRX_BUILD:-build/dev}/tests
cat <<'TEXT'
The race harness (`tests/support/rx_race.h`) runs each scenario many
times. In every run two or three actor threads wait at a spin barrier and
are released together, each after a short pseudo-random delay (none in
half the runs), so the calls they make really overlap. The pipeline runs
on libuv loops that have threads of their own, made and joined in every
run, and after every run the harness checks `uv_loop_close() == 0` for each
loop and `rx_live_objects() == 0`. The test subscriber counts the signals
in progress with an atomic counter, so two signals inside it at once, on
any two threads, fail the test, and it fails a signal that comes after a
terminal signal or after `on_finally`. Only calls DESIGN.md section 4
allows from another thread are made there (`rx_cancel`, `rx_dispose`, the
inlet's producer calls); requests, subscribing to subjects and shared
observables, and `rx_connect` run on the owner loop's thread.

| scenario | the race | test |
|---|---|---|
| inlet_cancel_vs_emit | `rx_cancel` from one thread, an inlet producer on another | race_cancel |
| observe_on_cancel_vs_on_next | subscribe on one thread, two threads cancel, items crossing `subscribe_on` → `observe_on` | race_cancel |
| inlet_complete_vs_error | two threads end one inlet, one completes, one fails it | race_terminal |
| observe_on_complete_vs_error | the same behind `observe_on` to a second loop | race_terminal |
| merge_error_vs_error | two inlets into `merge`, each failed from its own thread | race_terminal |
| zip_complete_vs_error | two inlets into `zip`, one completed, one failed | race_terminal |
| observe_on_request_vs_request | two threads request on the subscriber's loop while `observe_on` replenishes across the hop | race_request |
| inlet_request_vs_request | the same on an inlet while a third thread pushes | race_request |
| inlet_dispose_vs_emit | `rx_dispose` from one thread, an inlet producer on another | race_dispose |
| observe_on_dispose_vs_emit | the same behind `observe_on` | race_dispose |
| subject_dispose_vs_emit | a publish subject fed by an inlet; one subscriber disposed, the other must see everything | race_dispose |
| share_subscribe_vs_terminate | a late subscriber joins `share` while the source completes | race_share |
| ref_count_dispose_vs_emit | both subscribers of `share` disposed from another thread while the source emits | race_share |
| publish_connect_vs_emit | `rx_connect` while the source's producer pushes and completes | race_share |

Each scenario runs 2,500 times by default. For long runs by hand, set
`UVRX_RACE_ITERATIONS`:

```sh
UVRX_RACE_ITERATIONS=100000 ctest --preset tsan -R race_ --timeout 3600
```

Each scenario prints one line, `RACE name=... actors=... iterations=...
ms=...`, in the test's output (`ctest -V`).
TEXT
out=""
for t in "$b"/test_race_*; do
    [ -x "$t" ] && out+=$("$t" 2>&1 | grep '^RACE ' || true)$'\n'
done
if [ -n "${out//[$'\n']/}" ]; then
    echo
    echo "This run (build/dev, 2,500 iterations unless UVRX_RACE_ITERATIONS):"
    echo
    echo "| scenario | actors | iterations | ms |"
    echo "|---|---:|---:|---:|"
    printf '%s' "$out" | sed -n 's/^RACE name=\([^ ]*\) actors=\([0-9]*\) iterations=\([0-9]*\) ms=\([0-9]*\).*/| \1 | \2 | \3 | \4 |/p'
fi
