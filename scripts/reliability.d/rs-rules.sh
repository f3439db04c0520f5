#!/usr/bin/env bash
# Section "Reactive Streams rules" of docs/reliability.md: the 43 rules of
# Reactive Streams 1.0 (Publisher 1.1-1.11, Subscriber 2.1-2.13,
# Subscription 3.1-3.17, Processor 4.1-4.2), how uvrx meets each, and the
# tests that check it, from the table in rs-rules.tsv next to this script.
#
# The table cannot rot: before printing, every cited test must exist as a
# function of the cited file that the file registers with rx_unit_test(),
# every rule must appear exactly once, and a rule of kind "uvrx" must cite
# a test. Anything wrong is reported on stderr and the script exits 1.
#
# Usage: scripts/reliability.d/rs-rules.sh [--check]
#   --check  only verify the table (no output on success)
# shellcheck disable=SC2016 # single-quoted $n below are awk fields
set -euo pipefail
cd "$(dirname "$0")/../.."
table=scripts/reliability.d/rs-rules.tsv
check_only=0
[ "${1:-}" = --check ] && check_only=1

die() {
    printf 'rs-rules.sh: %s\n' "$@" >&2
    exit 1
}
[ -f "$table" ] || die "$table is missing"

# The expected rule ids, in order.
expected=$(
    for i in $(seq 1 11); do echo "1.$i"; done
    for i in $(seq 1 13); do echo "2.$i"; done
    for i in $(seq 1 17); do echo "3.$i"; done
    for i in 1 2; do echo "4.$i"; done
)
rows=$(grep -v '^#' "$table" | sed '/^$/d')
got=$(printf '%s\n' "$rows" | cut -f1)
[ "$got" = "$expected" ] ||
    die "$table must list the 43 rules once each, in order; differences:" \
        "$(diff <(printf '%s\n' "$expected") <(printf '%s\n' "$got") || true)"

# registered <file> <function>: the file defines the function and lists it
# in an rx_unit_test(...) entry (possibly wrapped over lines).
registered() {
    grep -q "^$2(" "$1" &&
        tr -d ' \t\n' <"$1" | grep -qF "rx_unit_test($2)"
}

problems=()
while IFS=$'\t' read -r rule kind says uvrx tests; do
    case $kind in
    uvrx | subscriber | untestable | n/a) ;;
    *) problems+=("rule $rule: unknown kind '$kind'") ;;
    esac
    [ -n "$says" ] && [ -n "$uvrx" ] ||
        problems+=("rule $rule: empty description")
    if [ "$kind" = uvrx ] && [ -z "$tests" ]; then
        problems+=("rule $rule: kind uvrx but no test cited")
    fi
    if [ "$kind" = n/a ] || [ "$kind" = untestable ]; then
        [ -z "$tests" ] ||
            problems+=("rule $rule: kind $kind must cite no test")
    fi
    for t in $tests; do
        file=${t%%:*}
        fn=${t#*:}
        if [ ! -f "$file" ]; then
            problems+=("rule $rule: $file does not exist")
        elif ! registered "$file" "$fn"; then
            problems+=("rule $rule: $file has no registered test $fn")
        fi
    done
done <<<"$rows"
if [ ${#problems[@]} -gt 0 ]; then
    printf 'rs-rules.sh: %s\n' "${problems[@]}" >&2
    die "${#problems[@]} problem(s) in $table"
fi
[ "$check_only" = 1 ] && exit 0

# ---- the section ----------------------------------------------------------

# count <awk condition>: the rules for which it holds.
count() { printf '%s\n' "$rows" | awk -F'\t' "$1" | wc -l; }
tested=$(count '$5 != ""')
own=$(count '$2 == "uvrx"')
sub_tested=$(count '$2 == "subscriber" && $5 != ""')
untested=$(printf '%s\n' "$rows" | awk -F'\t' '
    $5 == "" && $2 == "n/a" { why = "does not apply to C" }
    $5 == "" && $2 == "untestable" { why = "advice or a timing property, nothing to check" }
    $5 == "" && $2 == "subscriber" { why = "binds the subscriber; uvrx cannot observe it" }
    $5 == "" { printf "%s%s (%s)", sep, $1, why; sep = ", " }')

echo "**${tested} of 43 rules have an automated test.** ${own} bind uvrx"
echo "itself and are checked directly; ${sub_tested} bind the user's"
echo "subscriber, and their tests check what uvrx does so that a breach"
echo "does no harm, or that uvrx's own operators, as subscribers, obey"
echo "them. Without a test: ${untested}."
echo
echo "Each cited test is checked to exist as a registered cmocka test when"
echo "this section is generated (\`scripts/reliability.d/rs-rules.sh\`; the"
echo "table is \`scripts/reliability.d/rs-rules.tsv\`). Rule texts are"
echo "paraphrased; the conformance checks (\`conformance_main.c\`) each run"
echo "against every row of the conformance table. Where uvrx deliberately"
echo "differs from the rule or from RxJava, the uvrx column says so."
echo
echo "| rule | what it says | uvrx | test |"
echo "|---|---|---|---|"
printf '%s\n' "$rows" | while IFS=$'\t' read -r rule kind says uvrx tests; do
    cell=""
    for t in $tests; do
        file=${t%%:*}
        cell+="${cell:+<br>}\`${t#*:}\` (${file#tests/})"
    done
    case $kind in
    n/a) cell="none: does not apply to C" ;;
    untestable) cell="none: not testable automatically" ;;
    subscriber) cell="${cell:-none: uvrx cannot observe it}" ;;
    esac
    [ "$kind" = subscriber ] && uvrx="*Subscriber's rule.* $uvrx"
    printf '| %s | %s | %s | %s |\n' "$rule" "$says" "$uvrx" "$cell"
done
