#!/usr/bin/env bash
# deploy/build.sh [BUILD_DIR] [extra cmake args...] — configure and build sohoa (Release, warnings
# are errors). Prints the build directory's path last.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/build}"
shift || true
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOHOA_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
echo "$dir"
