#!/usr/bin/env bash
# tests/servers/s3rver.sh — an S3 server for the integration tests: s3rver (npm, pinned in
# tests/integration/package-lock.json), on a free port of 127.0.0.1, data under DIR.
#
#   s3rver.sh start DIR     start, wait until it answers, write DIR/s3rver.env and DIR/s3rver.pid
#   s3rver.sh stop DIR      stop by pid and wait
#   s3rver.sh restart DIR   stop, then start again on the same port with the same data
#   s3rver.sh kill DIR      kill -9 (the data stays)
#
# DIR/s3rver.env exports SOHOA_S3_ENDPOINT, SOHOA_S3_ACCESS_KEY, SOHOA_S3_SECRET_KEY (s3rver's fixed
# test account) and SOHOA_TEST_S3_BUCKET (pre-created: s3rver's V2 signature check mishandles
# bucket-level requests with a trailing slash, so buckets are configured at start).
set -euo pipefail
cmd="${1:?usage: s3rver.sh start|stop|restart|kill DIR}"
dir="$(mkdir -p "${2:?usage: s3rver.sh start|stop|restart|kill DIR}" && cd "$2" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
pkg="$here/../integration"
bucket="${SOHOA_TEST_S3_BUCKET:-sohoa-test}"
pidf="$dir/s3rver.pid"
# shellcheck source=tests/servers/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

ensure_installed() {
  local js="$pkg/node_modules/s3rver/bin/s3rver.js"
  if [ ! -f "$js" ] || [ "$pkg/package-lock.json" -nt "$pkg/node_modules/.package-lock.json" ]; then
    echo "s3rver: npm ci in $pkg" >&2
    (cd "$pkg" && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi
}

start() {
  ensure_installed
  local port
  if [ -f "$dir/s3rver.port" ]; then port="$(cat "$dir/s3rver.port")"; else port="$(free_port s3rver)"; fi
  echo "$port" > "$dir/s3rver.port"
  mkdir -p "$dir/s3rver-data"
  local conf=()
  # configure-bucket only on the first start: it would reset nothing, but s3rver refuses an
  # existing bucket directory on some versions.
  [ -d "$dir/s3rver-data/$bucket" ] || conf=(--configure-bucket "$bucket")
  setsid node "$pkg/node_modules/s3rver/bin/s3rver.js" -d "$dir/s3rver-data" -a 127.0.0.1 \
    -p "$port" "${conf[@]}" >> "$dir/s3rver.log" 2>&1 < /dev/null &
  echo $! > "$pidf"
  for _ in $(seq 150); do
    if port_answers "$port"; then
      cat > "$dir/s3rver.env" <<ENV
export SOHOA_S3_ENDPOINT=127.0.0.1:$port
export SOHOA_S3_ACCESS_KEY=S3RVER
export SOHOA_S3_SECRET_KEY=S3RVER
export SOHOA_TEST_S3_BUCKET=$bucket
ENV
      echo "s3rver: pid $(cat "$pidf") on 127.0.0.1:$port" >&2
      return 0
    fi
    kill -0 "$(cat "$pidf")" 2>/dev/null || break
    sleep 0.1
  done
  echo "s3rver: did not start; log:" >&2; tail -20 "$dir/s3rver.log" >&2; return 1
}

stop() {
  stop_pidfile "$pidf" "${1:-TERM}" 100
}

case "$cmd" in
  start) start ;;
  stop) stop TERM ;;
  kill) stop KILL ;;
  restart) stop TERM; start ;;
  *) echo "usage: s3rver.sh start|stop|restart|kill DIR" >&2; exit 64 ;;
esac
