# shellcheck shell=bash
# tests/servers/lib.sh — what the test-server scripts (postgres.sh, rabbitmq.sh, s3rver.sh) share:
# probing and choosing ports of 127.0.0.1, and stopping a process by pid; and, for the scripts that
# start `sohoa serve` (tests/integration/openapi.sh, bench/api.sh), waiting for its port.
# Sourced, not run.

# Does something accept connections on 127.0.0.1:PORT?
port_answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port NAME [OFFSET...]: prints a random port P in 20000..39999 on which nothing answers, nor
# on P+OFFSET for each OFFSET given (ports that must be free together); NAME goes in the error.
free_port() {
  local name=$1 p off ok
  shift
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 20000))
    ok=1
    for off in 0 "$@"; do
      if port_answers $((p + off)); then ok=0; break; fi
    done
    if [ "$ok" = 1 ]; then echo "$p"; return 0; fi
  done
  echo "$name: no free port" >&2; return 1
}

# wait_gone PID [TENTHS]: wait until PID has exited, at most TENTHS tenths of a second (300).
# Returns 1 when it is still there.
wait_gone() {
  local pid=$1 tenths=${2:-300}
  for _ in $(seq "$tenths"); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}

# stop_pidfile PIDFILE SIG [TENTHS]: send SIG to the pid in PIDFILE, wait up to TENTHS tenths of a
# second for it to exit, then kill -9 it; PIDFILE is removed. Nothing to do without PIDFILE.
stop_pidfile() {
  local pidf=$1 sig=$2 tenths=${3:-300} pid
  [ -f "$pidf" ] || return 0
  pid="$(cat "$pidf")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -"$sig" "$pid" 2>/dev/null || true
    wait_gone "$pid" "$tenths" || true
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidf"
}

# serve_port LOG: the port that `sohoa serve --listen 127.0.0.1:0` writes to its log LOG
# ("listening on http://127.0.0.1:PORT/"), waiting up to 20 s; without one, LOG goes to stderr and
# it returns 1.
serve_port() {
  local log=$1 port=
  for _ in $(seq 1 100); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" || true)
    [ -n "$port" ] && { echo "$port"; return 0; }
    sleep 0.2
  done
  cat "$log" >&2
  return 1
}
