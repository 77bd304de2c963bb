#!/usr/bin/env bash
# tests/servers/rabbitmq.sh — a throwaway RabbitMQ broker for the integration tests (Debian's
# rabbitmq-server), on free ports of 127.0.0.1, data and logs under DIR.
#
#   rabbitmq.sh start DIR     start a node of its own (name, AMQP port, distribution port and epmd
#                             port unique to DIR), wait until it is up, write DIR/rabbitmq.env and
#                             DIR/rabbitmq.pid (the Erlang VM) and DIR/epmd.pid
#   rabbitmq.sh stop DIR      rabbitmqctl stop, wait for the VM to exit, then stop its epmd by pid
#   rabbitmq.sh restart DIR   stop, then start again on the same ports with the same data
#   rabbitmq.sh kill DIR      kill -9 the VM and its epmd (the data stays; durable queues recover)
#
# As root the node runs as the `rabbitmq` system user, which owns DIR/node; it and rabbitmqctl share
# that user's Erlang cookie (/var/lib/rabbitmq/.erlang.cookie). DIR/rabbitmq.env exports
# SOHOA_TEST_QUEUE_URL=amqp://guest:guest@127.0.0.1:PORT (the default vhost "/"; guest may log in
# from the loopback interface) and RABBITMQ_NODENAME for rabbitmqctl -n.
set -euo pipefail
cmd="${1:?usage: rabbitmq.sh start|stop|restart|kill DIR}"
dir="$(mkdir -p "${2:?usage: rabbitmq.sh start|stop|restart|kill DIR}" && cd "$2" && pwd)"
node_dir="$dir/node"
pidf="$dir/rabbitmq.pid"
# shellcheck source=tests/servers/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

command -v rabbitmq-server >/dev/null ||
  { echo "rabbitmq: rabbitmq-server is not installed (deploy/install.sh --integration)" >&2; exit 1; }

# Ports and node name are chosen once per DIR and kept (restart must reuse them).
load_ports() {
  if [ ! -f "$dir/ports" ]; then
    local amqp epmd dist
    amqp=$(free_port rabbitmq 20000); epmd=$(free_port rabbitmq 20000); dist=$(free_port rabbitmq 20000)
    echo "AMQP_PORT=$amqp EPMD_PORT=$epmd DIST_PORT=$dist NODE=sohoa$amqp@localhost" > "$dir/ports"
  fi
  # shellcheck disable=SC1091
  . <(tr ' ' '\n' < "$dir/ports")
}

as_rabbit() {
  local envs=(RABBITMQ_NODENAME="$NODE" ERL_EPMD_PORT="$EPMD_PORT"
    RABBITMQ_DIST_PORT="$DIST_PORT" RABBITMQ_MNESIA_BASE="$node_dir/mnesia"
    RABBITMQ_LOG_BASE="$node_dir/log" RABBITMQ_CONFIG_FILE="$node_dir/rabbitmq.conf"
    RABBITMQ_ENABLED_PLUGINS_FILE="$node_dir/enabled_plugins" RABBITMQ_PID_FILE="$pidf.vm"
    RABBITMQ_ADVANCED_CONFIG_FILE="$node_dir/advanced.config")
  if [ "$(id -u)" = 0 ]; then
    runuser -u rabbitmq -- env "${envs[@]}" "$@"
  else
    env "${envs[@]}" "$@"
  fi
}

alive() { [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }

start() {
  load_ports
  if alive; then echo "rabbitmq: already running (pid $(cat "$pidf"))" >&2; return 0; fi
  mkdir -p "$node_dir/mnesia" "$node_dir/log"
  cat > "$node_dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
loopback_users.guest = true
log.file.level = info
log.console = false
CONF
  echo "[]." > "$node_dir/enabled_plugins"
  echo "[]." > "$node_dir/advanced.config"
  if [ "$(id -u)" = 0 ]; then
    chown -R rabbitmq: "$node_dir"
    chmod o+x "$dir"
    touch "$pidf.vm" && chown rabbitmq: "$pidf.vm"
  fi
  (cd "$node_dir" && as_rabbit rabbitmq-server -detached) > "$dir/start.log" 2>&1
  sleep 3 # rabbitmqctl fails outright when called in the first seconds
  local ok=0
  for _ in $(seq 30); do
    if as_rabbit rabbitmqctl -n "$NODE" await_startup --timeout 10 >> "$dir/start.log" 2>&1; then
      ok=1; break
    fi
    sleep 1
  done
  if [ "$ok" != 1 ]; then
    echo "rabbitmq: node $NODE did not start; last log lines:" >&2
    tail -20 "$node_dir"/log/*.log >&2 2>/dev/null || true
    return 1
  fi
  cp "$pidf.vm" "$pidf"
  local epmd
  epmd=$(ss -Hltnp "sport = :$EPMD_PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
  [ -n "$epmd" ] && echo "$epmd" > "$dir/epmd.pid"
  cat > "$dir/rabbitmq.env" <<ENV
export SOHOA_TEST_QUEUE_URL=amqp://guest:guest@127.0.0.1:$AMQP_PORT
export RABBITMQ_NODENAME=$NODE
export RABBITMQ_AMQP_PORT=$AMQP_PORT
ENV
  echo "rabbitmq: node $NODE up on 127.0.0.1:$AMQP_PORT (pid $(cat "$pidf"))"
}

stop_epmd() {
  if [ -f "$dir/epmd.pid" ]; then
    kill "$(cat "$dir/epmd.pid")" 2>/dev/null || true
    rm -f "$dir/epmd.pid"
  fi
}

stop() {
  load_ports
  if alive; then
    local pid; pid=$(cat "$pidf")
    as_rabbit rabbitmqctl -n "$NODE" stop >> "$dir/stop.log" 2>&1 || kill "$pid" 2>/dev/null || true
    wait_gone "$pid" || { kill -9 "$pid" 2>/dev/null || true; wait_gone "$pid" || true; }
  fi
  rm -f "$pidf"
  stop_epmd
}

kill9() {
  load_ports
  if alive; then
    local pid; pid=$(cat "$pidf")
    kill -9 "$pid" 2>/dev/null || true
    wait_gone "$pid" || true
  fi
  rm -f "$pidf"
  if [ -f "$dir/epmd.pid" ]; then kill -9 "$(cat "$dir/epmd.pid")" 2>/dev/null || true; rm -f "$dir/epmd.pid"; fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  kill) kill9 ;;
  *) echo "usage: rabbitmq.sh start|stop|restart|kill DIR" >&2; exit 64 ;;
esac
