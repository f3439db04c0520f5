#!/usr/bin/env bash
# Section "Misbehaving sources" of docs/reliability.md, from the summary
# line of tests/reliability/test_misbehaving.c.
set -euo pipefail
b=${UVRX_BUILD:-build/dev}/tests
line=$("$b/test_misbehaving" 2>&1 | grep '^misbehaving sources:' || true)
echo "A private test source breaks the protocol on purpose (a value, error"
echo "or completion after the end, two errors, items beyond demand, ignoring"
echo "cancel; tests/support/rx_rogue.c). Every operator passes on only the"
echo "legal prefix, the extra error reaches the undeliverable handler exactly"
echo "once, nothing leaks (docs/design/misbehaving-sources.md)."
echo
echo "- ${line:-misbehaving sources: not run}"
