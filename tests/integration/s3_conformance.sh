#!/usr/bin/env bash
# Integration test: the S3 object-store backend against a real S3 server. Starts s3rver (npm,
# installed from this folder's package-lock.json into tests/integration/node_modules) on a free
# port of 127.0.0.1 with a temporary data directory and a pre-created bucket, then runs
#   1. the object-store conformance suite (test_objstore) with SOHOA_TEST_OBJSTORE_URL=s3://…, and
#   2. the S3-only cases (test_objstore_s3): refused credentials, a missing bucket, many threads,
#      and timings (20 MB put/get throughput, per-object latency).
# s3rver is stopped by its pid when the script exits, whatever happens.
#
# Known s3rver limitation (not the backend's): s3rver writes an object in place, so a reader or a
# second writer racing a PUT of the same key sees a torn object (S3 and MinIO replace objects
# atomically). The conformance case extra/concurrent_same_key therefore fails on s3rver; this
# script reports that one failure as XFAIL and fails on any other. Set SOHOA_S3_STRICT=1 to count
# it as a failure too (against MinIO, say).
#
# usage: s3_conformance.sh TEST_OBJSTORE TEST_OBJSTORE_S3
set -euo pipefail
test_objstore="$(realpath "$1")"
test_objstore_s3="$(realpath "$2")"
here="$(cd "$(dirname "$0")" && pwd)"
bucket=sohoa-test
xfail_case="extra/concurrent_same_key"

# --- s3rver from the project's lock file -----------------------------------------------------------
s3rver_js="$here/node_modules/s3rver/bin/s3rver.js"
if [ ! -f "$s3rver_js" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "installing s3rver (npm ci in $here)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/sohoa-s3it-XXXXXX")"
pid=""
# shellcheck disable=SC2317 # called through the trap
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port: s3rver binds port 0 and logs the one it got ("S3rver listening on 127.0.0.1:N").
mkdir -p "$work/data"
node "$s3rver_js" -d "$work/data" -a 127.0.0.1 -p 0 --configure-bucket "$bucket" \
  > "$work/s3rver.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 100); do
  port="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$work/s3rver.log" | head -1)"
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "FAIL: s3rver did not start"; cat "$work/s3rver.log"; exit 1
fi
echo "s3rver pid $pid on 127.0.0.1:$port, bucket $bucket"

export SOHOA_S3_ENDPOINT="127.0.0.1:$port"
export SOHOA_S3_ACCESS_KEY=S3RVER SOHOA_S3_SECRET_KEY=S3RVER # s3rver's fixed test account
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY SOHOA_S3_CREDENTIALS_FILE SOHOA_S3_HTTPS
export TMPDIR="$work"
fail=0

# --- 1. the conformance suite ----------------------------------------------------------------------
set +e
SOHOA_TEST_OBJSTORE_URL="s3://$bucket/conformance" "$test_objstore" > "$work/conformance.out" 2>&1
rc=$?
set -e
cat "$work/conformance.out"
failed="$(sed -n 's/^\[  FAILED  \] \([^ ]*\)$/\1/p' "$work/conformance.out" | sort -u)"
passed="$(grep -c '^\[       OK \] extra/' "$work/conformance.out" || true)"
if [ "$rc" -ne 0 ] && [ -z "$failed" ]; then
  echo "FAIL: test_objstore exited $rc without naming a failed case (crash?)"; fail=1
fi
for case in $failed; do
  if [ "$case" = "$xfail_case" ] && [ "${SOHOA_S3_STRICT:-0}" != 1 ]; then
    echo "XFAIL: $case (s3rver rewrites objects in place; S3 and MinIO replace them atomically)"
  else
    echo "FAIL: $case"; fail=1
  fi
done
echo "conformance on s3://: $passed cases passed"

# --- 2. the S3-only cases ------------------------------------------------------------------------------
set +e
SOHOA_TEST_S3_ENDPOINT="$SOHOA_S3_ENDPOINT" SOHOA_TEST_S3_BUCKET="$bucket" "$test_objstore_s3"
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  echo "FAIL: test_objstore_s3 ($rc)"; fail=1
fi

if [ "$fail" -eq 0 ]; then
  echo "ok: S3 backend integration"
fi
exit $fail
