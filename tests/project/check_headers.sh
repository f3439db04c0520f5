#!/usr/bin/env bash
# CTest `public_headers` (STYLE.md section 2): every public header in the
# source tree -- include/uvrx.h and include/uvrx/*.h, testkit.h included --
# compiles on its own as strict C11 (-Wall -Wextra -Wpedantic -Werror),
# and compiles when included twice (its include guard works). When a C++
# compiler is given, each header must also compile as C++20, since the
# headers promise C++ use with their extern "C" blocks (C++20 because the
# inline value constructors use designated initialisers).
# Usage: check_headers.sh <source dir> <cc> [c++ compiler] [cflags...]
set -u
src=$1 cc=$2 cxx=${3:-}
shift 3 2>/dev/null || shift $#
extra=("$@") # libuv's include flags from pkg-config
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

c_flags=(-std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic -Werror
         -fsyntax-only -I "$src/include" "${extra[@]}")
cxx_flags=(-D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic
           -Werror -fsyntax-only -I "$src/include" "${extra[@]}")
status=0
n=0
for h in "$src"/include/uvrx.h "$src"/include/uvrx/*.h; do
    rel=${h#"$src"/include/}
    n=$((n + 1))
    printf '#include <%s>\n' "$rel" >"$tmp/one.c"
    printf '#include <%s>\n#include <%s>\n' "$rel" "$rel" >"$tmp/twice.c"
    if ! "$cc" "${c_flags[@]}" "$tmp/one.c" 2>"$tmp/err"; then
        echo "$rel does not compile on its own as C11:"
        cat "$tmp/err"
        status=1
    elif ! "$cc" "${c_flags[@]}" "$tmp/twice.c" 2>"$tmp/err"; then
        echo "$rel cannot be included twice (include guard):"
        cat "$tmp/err"
        status=1
    fi
    if [ -n "$cxx" ]; then
        cp "$tmp/one.c" "$tmp/one.cc"
        for std in c++11 c++20; do
            if ! "$cxx" -std=$std "${cxx_flags[@]}" "$tmp/one.cc" \
                2>"$tmp/err"; then
                echo "$rel does not compile on its own as $std:"
                cat "$tmp/err"
                status=1
            fi
        done
    fi
done
[ "$n" -gt 0 ] || { echo "no public headers found under $src/include"; exit 1; }
[ $status -eq 0 ] &&
    echo "public_headers: $n headers compile alone${cxx:+ (C11, C++11 and C++20)}"
exit $status
