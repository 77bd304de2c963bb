#!/usr/bin/env bash
# Integration test: the S3 object-store backend against a real S3 server. Starts s3rver
# (tests/servers/s3rver.sh: npm, pinned in this folder's package-lock.json) on a free port of
# 127.0.0.1 with a data directory under WORK_DIR and a pre-created bucket, then runs
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
# usage: s3_conformance.sh BUILD_DIR CORPUS_DIR WORK_DIR
set -euo pipefail
build="$(realpath "$1")"
test_objstore="$build/tests/test_objstore"
test_objstore_s3="$build/tests/test_objstore_s3"
here="$(cd "$(dirname "$0")" && pwd)"
servers="$here/../servers"
xfail_case="extra/concurrent_same_key"

work="$3"
rm -rf "$work" && mkdir -p "$work"
work="$(cd "$work" && pwd)"
# shellcheck disable=SC2317 # called through the trap
cleanup() { "$servers/s3rver.sh" stop "$work/srv" || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

"$servers/s3rver.sh" start "$work/srv"
# shellcheck disable=SC1091
. "$work/srv/s3rver.env"
bucket="$SOHOA_TEST_S3_BUCKET"
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
