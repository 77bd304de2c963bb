#!/usr/bin/env bash
# Integration test: the catalog on a real PostgreSQL server. Starts one (tests/servers/postgres.sh:
# Debian's postgresql, 127.0.0.1, a free port, data under WORK_DIR), then
#   1. runs the catalog conformance suite (test_catalog, test_catalog_faults) with
#      SOHOA_TEST_CATALOG_URL=postgres://…: every case in a schema of its own;
#   2. restarts the server in the middle of a run of concurrent writers (test_catalog_faults's
#      restart case): the writers must meet retryable errors, retry, and end with every document
#      complete and exactly one finisher each;
#   3. checks that the password never appears in what the tests printed.
# The server is stopped by its pid when the script exits, whatever happens.
#
# usage: catalog_pg.sh BUILD_DIR CORPUS_DIR WORK_DIR
set -euo pipefail
build="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
servers="$here/../servers"
work="$3"
rm -rf "$work" && mkdir -p "$work"
work="$(cd "$work" && pwd)"
# shellcheck disable=SC2317 # called through the trap
cleanup() {
  [ -n "${tester:-}" ] && kill "$tester" 2>/dev/null || true
  "$servers/postgres.sh" stop "$work/srv" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$servers/postgres.sh" start "$work/srv"
# shellcheck disable=SC1091
. "$work/srv/postgres.env"
export TMPDIR="$work"
fail=0

# --- 1. the conformance suite ----------------------------------------------------------------------
for t in test_catalog test_catalog_faults test_catalog_fields test_catalog_members; do
  if ! "$build/tests/$t" > "$work/$t.out" 2>&1; then
    echo "FAIL: $t against PostgreSQL"; fail=1
  fi
  cat "$work/$t.out"
done

# --- 2. restart during concurrent writes -----------------------------------------------------------
mkdir -p "$work/restart"
SOHOA_TEST_RESTART_DIR="$work/restart" "$build/tests/test_catalog_faults" \
  > "$work/restart.out" 2>&1 &
tester=$!
for _ in $(seq 600); do
  [ -f "$work/restart/writing" ] && break
  kill -0 "$tester" 2>/dev/null || break
  sleep 0.1
done
if [ -f "$work/restart/writing" ]; then
  echo "writers running: restarting PostgreSQL"
  "$servers/postgres.sh" restart "$work/srv"
  sleep 1 # let the writers meet the new server before they wind down
  touch "$work/restart/restarted"
else
  echo "FAIL: the writers never started"; fail=1
  touch "$work/restart/restarted"
fi
rc=0
wait "$tester" || rc=$?
tester=
cat "$work/restart.out"
if [ "$rc" -ne 0 ] || ! grep -q '^\[       OK \] test_restart' "$work/restart.out"; then
  echo "FAIL: writers did not recover from the restart (exit $rc)"; fail=1
fi

# --- 3. no password in any output ------------------------------------------------------------------
pw="$(cat "$work/srv/postgres.password")"
if grep -rqF -- "$pw" "$work"/*.out; then
  echo "FAIL: the password appears in the tests' output"; fail=1
fi

[ "$fail" -eq 0 ] && echo "catalog on PostgreSQL: all passed"
exit "$fail"
