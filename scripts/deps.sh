#!/usr/bin/env bash
# Install everything uvrx needs to build, test, lint and document itself
# (Debian 12). Idempotent: apt runs only if a package is missing.
# Extra Debian package names given as arguments are installed too (.ci/run
# passes gcovr for its coverage lane).
# Usage: scripts/deps.sh [package...]
set -euo pipefail

pkgs=(cmake ninja-build gcc clang clang-tidy clang-format cppcheck pkg-config
      libuv1-dev libcmocka-dev doxygen uthash-dev valgrind "$@")

missing=()
for p in "${pkgs[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "deps.sh: run as root" >&2; exit 1; }
    sudo=(sudo)
fi
echo "deps.sh: installing ${missing[*]}"
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq)
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
