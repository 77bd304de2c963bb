#!/usr/bin/env bash
# deploy/test.sh — the second command of the README, and what CI runs: installs what is missing,
# checks the style (clang-format, clang-tidy), builds with warnings as errors, runs every test
# (ctest) — including the integration tests, which start real servers on 127.0.0.1 (RabbitMQ,
# PostgreSQL, s3rver) and stop them by pid — then builds again with AddressSanitizer + UBSan and
# runs the unit and golden tests again, then a third time with ThreadSanitizer for the tests that
# use threads.
#
#   deploy/test.sh               everything
#   deploy/test.sh --no-asan     the plain pass only, no sanitizer pass (quicker, for local iteration)
#   deploy/test.sh --no-style    without the format and tidy checks (also for local iteration)
#
# CI is set to true unless the caller set it: then a test case that skips fails (tests/run_unit.sh),
# since install.sh provides everything the tests need. CI=false deploy/test.sh relaxes that.
#
# The golden tests read the shared corpus from ../shared/corpus (next to the repository), or from
# $SOHOA_CORPUS_DIR.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
asan=1
style=1
for arg in "$@"; do
  case "$arg" in
    --no-asan) asan=0 ;;
    --no-style) style=0 ;;
    *) echo "usage: $0 [--no-asan] [--no-style]" >&2; exit 64 ;;
  esac
done
export CI="${CI:-true}"

# stage NAME: prints how long the previous stage took, then NAME
stage_name=""
stage_start=$SECONDS
stage() {
  [ -z "$stage_name" ] || echo "   ($stage_name: $((SECONDS - stage_start)) s)"
  stage_name="$1"
  stage_start=$SECONDS
  [ -z "$1" ] || echo "== $1"
}

"$root/deploy/install.sh" --tests --integration

corpus="${SOHOA_CORPUS_DIR:-$root/../shared/corpus}"
export OMP_THREAD_LIMIT=1
jobs=$(nproc)

if [ "$style" = 1 ]; then
  stage "format (clang-format 14, .clang-format)"
  "$root/deploy/check_format.sh"
  stage "clang-tidy 14 (.clang-tidy)"
  mkdir -p "$root/build-tidy"
  tidy_log="$root/build-tidy/tidy.log"
  "$root/deploy/tidy.sh" --build "$root/build-tidy" >"$tidy_log" 2>&1 ||
    { tail -n 80 "$tidy_log"; echo "(all of it: $tidy_log)"; exit 1; }
  tail -n 1 "$tidy_log"
fi

stage "build (warnings are errors)"
build=$("$root/deploy/build.sh" "$root/build" -DSOHOA_CORPUS_DIR="$corpus" \
  -DSOHOA_INTEGRATION_TESTS=ON)
stage "tests"
(cd "$build" && ctest --output-on-failure -j"$jobs")

if [ "$asan" = 1 ]; then
  stage "build with AddressSanitizer + UBSan"
  asan_build=$("$root/deploy/build.sh" "$root/build-asan" -DSOHOA_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=Debug -DSOHOA_CORPUS_DIR="$corpus" -DSOHOA_INTEGRATION_TESTS=OFF)
  stage "tests under AddressSanitizer + UBSan"
  (
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
    export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    cd "$asan_build" && ctest --output-on-failure -j"$jobs"
  )

  # The tests whose code runs on several threads: the worker pool, the queue backends, the catalog
  # under concurrent writers, the webhook sender, the HTTP API (server + workers).
  stage "build with ThreadSanitizer"
  tsan_build=$("$root/deploy/build.sh" "$root/build-tsan" -DSOHOA_TSAN=ON \
    -DSOHOA_CORPUS_DIR="$corpus" -DSOHOA_INTEGRATION_TESTS=OFF)
  stage "threaded tests under ThreadSanitizer"
  (
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp:print_suppressions=0"
    cd "$tsan_build" && ctest --output-on-failure -j"$jobs" --no-tests=error \
      -R '^(test_pool|test_queue|test_catalog_faults|test_catalog_members|test_webhook|test_api)$'
  )
fi
stage ""
