#!/usr/bin/env bash
# tests/integration/openapi.sh BUILD_DIR CORPUS_DIR WORK_DIR — models/openapi.json, and the
# document `sohoa serve` serves at /v1/openapi.json, must validate as OpenAPI 3
# (@apidevtools/swagger-parser, pinned in tests/api/package.json + package-lock.json; needs
# node and npm: deploy/install.sh --integration) and be the same bytes. Uses the curl CLI.
set -euo pipefail
build=$(cd "$1" && pwd)
work=$3
src=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/servers/lib.sh
. "$src/tests/servers/lib.sh"
rm -rf "$work" && mkdir -p "$work"

(cd "$src/tests/api" && { [ -d node_modules/@apidevtools/swagger-parser ] ||
  npm ci --no-audit --no-fund --loglevel=error; })

node "$src/tests/api/validate.js" "$src/models/openapi.json"
# the validator must be able to fail: a dangling reference is refused
printf '%s\n' '{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"$ref":"#/components/responses/Nope"}}}}}}' \
  >"$work/broken.json"
if node "$src/tests/api/validate.js" "$work/broken.json" 2>/dev/null; then
  echo "FAIL: the validator accepted a broken document" >&2
  exit 1
fi

pid=
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; }
trap stop EXIT
: >"$work/serve.log"
OMP_THREAD_LIMIT=1 "$build/sohoa" serve --data-dir "$work/data" --listen 127.0.0.1:0 \
  --api-token openapi-test-token-0123 --workers 1 2>"$work/serve.log" &
pid=$!
port=$(serve_port "$work/serve.log") || { echo "FAIL: serve did not start" >&2; exit 1; }
curl -sS -f -o "$work/served.json" "http://127.0.0.1:$port/v1/openapi.json"
node "$src/tests/api/validate.js" "$work/served.json"
cmp "$src/models/openapi.json" "$work/served.json"
stop
pid=
grep -q "stopped" "$work/serve.log" || { echo "FAIL: serve did not stop gracefully" >&2; exit 1; }
echo "1 passed, 0 failed"
