#!/usr/bin/env bash
# deploy/test.sh — the second command of the README, and what CI runs: installs what is missing,
# builds with warnings as errors, runs every test (ctest) — including the integration tests, which
# start real servers on 127.0.0.1 (RabbitMQ, PostgreSQL, s3rver) and stop them by pid — then
# builds again with AddressSanitizer + UBSan and runs the unit and golden tests again.
#
#   deploy/test.sh            both passes
#   deploy/test.sh --no-asan  the plain pass only (quicker, for local iteration)
#
# The golden tests read the shared corpus from ../shared/corpus (next to the repository), or from
# $SOHOA_CORPUS_DIR.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
asan=1
[ "${1:-}" = "--no-asan" ] && asan=0

"$root/deploy/install.sh" --tests --integration

corpus="${SOHOA_CORPUS_DIR:-$root/../shared/corpus}"
export OMP_THREAD_LIMIT=1
jobs=$(nproc)

echo "== build (warnings are errors)"
build=$("$root/deploy/build.sh" "$root/build" -DSOHOA_CORPUS_DIR="$corpus" \
  -DSOHOA_INTEGRATION_TESTS=ON)
echo "== tests"
(cd "$build" && ctest --output-on-failure -j"$jobs")

if [ "$asan" = 1 ]; then
  echo "== build with AddressSanitizer + UBSan"
  asan_build=$("$root/deploy/build.sh" "$root/build-asan" -DSOHOA_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=Debug -DSOHOA_CORPUS_DIR="$corpus" -DSOHOA_INTEGRATION_TESTS=OFF)
  echo "== tests under AddressSanitizer + UBSan"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
  export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  (cd "$asan_build" && ctest --output-on-failure -j"$jobs")
fi
