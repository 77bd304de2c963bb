#!/usr/bin/env bash
# tests/run_unit.sh PROGRAM [ARGS...] — how ctest runs a cmocka unit test program
# (tests/CMakeLists.txt). Outside CI it is the program itself (exec). With CI=true (or CI=1) a
# skipped case is a failure: every case cmocka reports as "[  SKIPPED ] NAME" fails the run unless
# NAME is listed in $SOHOA_SKIP_ELSEWHERE (space-separated), which tests/CMakeLists.txt sets, with
# its reason, for the cases another test runs (an integration test with the server they need).
# Exit status: the program's; 1 when it passed but skipped a case it may not skip.
set -uo pipefail
prog="${1:?usage: run_unit.sh PROGRAM [ARGS...]}"
shift
case "${CI:-}" in
  true | TRUE | True | 1) ;;
  *) exec "$prog" "$@" ;;
esac

log="$(mktemp "${TMPDIR:-/tmp}/sohoa-unit-XXXXXX")"
trap 'rm -f "$log"' EXIT
"$prog" "$@" 2>&1 | tee "$log"
rc="${PIPESTATUS[0]}"

allowed=" ${SOHOA_SKIP_ELSEWHERE:-} "
bad=()
while IFS= read -r name; do
  case "$allowed" in
    *" $name "*) echo "run_unit: $name skipped here, as tests/CMakeLists.txt declares (SOHOA_SKIP_ELSEWHERE)" ;;
    *) bad+=("$name") ;;
  esac
done < <(sed -nE 's/^\[  SKIPPED \] ([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*$/\1/p' "$log" | sort -u)

if [ "${#bad[@]}" -gt 0 ]; then
  echo "run_unit: FAIL: CI=$CI and $(basename "$prog") skipped ${bad[*]}: a skip in CI is a" \
    "failure (install what the case needs: deploy/install.sh --tests; or, when another test runs" \
    "it, list it in SOHOA_SKIP_ELSEWHERE in tests/CMakeLists.txt with the reason)" >&2
  [ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
