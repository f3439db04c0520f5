#!/usr/bin/env bash
# CTest `install_consumer`: install the build tree into a temporary prefix
# and use it as an outside project would. Checks, in order:
#   1. libuvrx.so exports only rx_[a-z]* names (never rx__), and matches
#      tests/install/exported_symbols.txt if that file exists
#      (UVRX_UPDATE_SYMBOLS=1 rewrites it from the current library);
#      libuvrx.a defines no global symbol outside the rx_ prefix;
#   2. every installed header compiles on its own (strict C11);
#   3. consumer.c builds and runs via `pkg-config --cflags --libs uvrx`;
#   4. consumer.c builds and runs via find_package(uvrx) with uvrx::uvrx,
#      uvrx::uvrx_static (no libuvrx.so dependency) and uvrx::testkit.
# Usage: check_install.sh <source dir> <build dir> <cmake> <cc> [cflags]
set -euo pipefail
src=$1 build=$2 cmake=$3 cc=$4
read -r -a extra <<<"${5:-}" # sanitizer/coverage flags of the build
strict=(-std=c11 -Wall -Wextra -Wpedantic -Werror "${extra[@]}")
here=$src/tests/install

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "install_consumer: $*" >&2; exit 1; }

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" ||
    { cat "$tmp/install.log"; fail "cmake --install failed"; }
so=$(find "$prefix" -name libuvrx.so -print -quit)
[ -n "$so" ] || fail "no libuvrx.so installed"
libdir=$(dirname "$so")

# 1. exported symbols (type A entries are version nodes such as UVRX_0).
nm -D --defined-only "$so" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
    LC_ALL=C sort >"$tmp/symbols.txt"
bad=$(grep -Ev '^rx_[a-z]' "$tmp/symbols.txt" || true)
[ -z "$bad" ] || fail "non-public symbols exported: $bad"
list=$here/exported_symbols.txt
if [ "${UVRX_UPDATE_SYMBOLS:-0}" = 1 ]; then
    cp "$tmp/symbols.txt" "$list"
    echo "install_consumer: wrote $list"
elif [ -f "$list" ]; then
    diff -u "$list" "$tmp/symbols.txt" ||
        fail "exported symbols differ from $list (UVRX_UPDATE_SYMBOLS=1 to accept)"
fi

# 1b. the static library defines no global outside the rx_ prefix either
# (rx__ internals are global there, so a bare helper name would clash with
# an application's own symbols). Sanitizer builds add instrumentation
# globals of their own (two underscores, then the sanitizer's name): not
# ours.
a=$(find "$prefix" -name libuvrx.a -print -quit)
[ -n "$a" ] || fail "no libuvrx.a installed"
bad=$(nm -g --defined-only "$a" | awk 'NF == 3 { print $3 }' |
    grep -v '^rx_' | grep -Ev '^__(odr_asan|asan|tsan|ubsan)' |
    LC_ALL=C sort -u || true)
[ -z "$bad" ] || fail "libuvrx.a defines globals outside rx_: $bad"

# 2. each installed header alone.
pkg=(env PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config)
read -r -a cflags <<<"$("${pkg[@]}" --cflags uvrx)"
for h in "$prefix"/include/uvrx.h "$prefix"/include/uvrx/*.h; do
    [ -f "$h" ] || continue
    rel=${h#"$prefix"/include/}
    printf '#include <%s>\n' "$rel" >"$tmp/one.c"
    "$cc" "${strict[@]}" "${cflags[@]}" -c "$tmp/one.c" -o "$tmp/one.o" ||
        fail "$rel does not compile on its own"
done

# 3. pkg-config consumer.
read -r -a libs <<<"$("${pkg[@]}" --libs uvrx)"
"$cc" "${strict[@]}" "${cflags[@]}" "$here/consumer.c" -o "$tmp/pc_consumer" \
    "${libs[@]}" || fail "pkg-config consumer does not build"
LD_LIBRARY_PATH=$libdir "$tmp/pc_consumer" >/dev/null ||
    fail "pkg-config consumer does not run"

# 4. find_package consumer.
mkdir "$tmp/proj"
cat >"$tmp/proj/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(uvrx_consumer C)
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_EXTENSIONS OFF)
find_package(uvrx 0.1 REQUIRED)
foreach(lib uvrx uvrx_static testkit)
  add_executable(\${lib}_consumer "$here/consumer.c")
  target_link_libraries(\${lib}_consumer PRIVATE uvrx::\${lib})
endforeach()
CMAKE
gen=()
if command -v ninja >/dev/null; then gen=(-G Ninja); fi
"$cmake" -S "$tmp/proj" -B "$tmp/proj/build" "${gen[@]}" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_C_FLAGS="${strict[*]}" >"$tmp/proj.log" 2>&1 &&
    "$cmake" --build "$tmp/proj/build" >>"$tmp/proj.log" 2>&1 ||
    { cat "$tmp/proj.log"; fail "find_package consumer does not build"; }
for lib in uvrx uvrx_static testkit; do
    "$tmp/proj/build/${lib}_consumer" >/dev/null ||
        fail "find_package consumer for uvrx::$lib does not run"
done
if ldd "$tmp/proj/build/uvrx_static_consumer" | grep -q libuvrx; then
    fail "uvrx::uvrx_static consumer depends on libuvrx.so"
fi
echo "install_consumer: ok ($(wc -l <"$tmp/symbols.txt") exported symbols)"
