#!/usr/bin/env bash
# tests/servers/postgres.sh — a PostgreSQL server for the integration tests (Debian's postgresql
# package, binaries in /usr/lib/postgresql/*/bin), on a free port of 127.0.0.1, data under DIR.
#
#   postgres.sh start DIR     initdb on first use, start, wait until it answers, create the user and
#                             database, write DIR/postgres.env and DIR/postgres.pid
#   postgres.sh stop DIR      fast shutdown by pid (clients are disconnected), wait
#   postgres.sh restart DIR   stop, then start again on the same port with the same data
#   postgres.sh kill DIR      kill -9 the postmaster (the data stays; the next start recovers)
#
# PostgreSQL refuses to run as root: as root, initdb and the server run as the `postgres` system
# user, which owns DIR/pgdata. The server listens on 127.0.0.1 only (password auth, scram) and on a
# unix socket in DIR/sock (trust, for the postgres superuser). The database uses UTF-8 with the
# C.UTF-8 locale, so lower() and text search lower-case Vietnamese letters.
# DIR/postgres.env exports SOHOA_TEST_CATALOG_URL=postgres://sohoa:PASSWORD@127.0.0.1:PORT/sohoa_test
# (the password is random, made at the first start and kept in DIR/postgres.password, mode 600).
set -euo pipefail
cmd="${1:?usage: postgres.sh start|stop|restart|kill DIR}"
dir="$(mkdir -p "${2:?usage: postgres.sh start|stop|restart|kill DIR}" && cd "$2" && pwd)"
bin="${SOHOA_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
data="$dir/pgdata"
sock="$dir/sock"
pidf="$dir/postgres.pid"
db=sohoa_test
user=sohoa
# shellcheck source=tests/servers/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

[ -x "$bin/postgres" ] || { echo "postgres: no server binaries in '$bin' (apt install postgresql)" >&2; exit 1; }

# Run a command as the server's user (postgres when we are root, else ourselves).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

init() {
  [ -f "$data/PG_VERSION" ] && return 0
  mkdir -p "$data" "$sock"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$data" "$sock"
    chmod o+x "$dir" # the server user must reach its data and socket directories
  fi
  chmod 700 "$data"
  if [ ! -f "$dir/postgres.password" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' 'xy' > "$dir/postgres.password")
  fi
  as_pg "$bin/initdb" -D "$data" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 > "$dir/initdb.log" 2>&1 ||
    { echo "postgres: initdb failed:" >&2; tail -20 "$dir/initdb.log" >&2; return 1; }
  echo "new" > "$dir/postgres.fresh"
}

psql_su() {
  as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$(cat "$dir/postgres.port")" \
    -U postgres -d "${1:-postgres}"
}

start() {
  init
  local port
  if [ -f "$dir/postgres.port" ]; then port="$(cat "$dir/postgres.port")"; else port="$(free_port postgres)"; fi
  echo "$port" > "$dir/postgres.port"
  as_pg touch "$dir/postgres.log" 2>/dev/null || { touch "$dir/postgres.log"; [ "$(id -u)" = 0 ] && chown postgres: "$dir/postgres.log"; }
  # setsid: the server outlives this script and does not get the caller's terminal signals.
  as_pg setsid "$bin/postgres" -D "$data" -p "$port" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$sock" -c max_connections=200 -c fsync=on \
    >> "$dir/postgres.log" 2>&1 < /dev/null &
  local ready=0
  for _ in $(seq 300); do
    if [ -f "$data/postmaster.pid" ] &&
      as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
      ready=1; break
    fi
    sleep 0.1
  done
  if [ "$ready" != 1 ]; then
    echo "postgres: did not start; log:" >&2; tail -20 "$dir/postgres.log" >&2; return 1
  fi
  head -1 "$data/postmaster.pid" > "$pidf"
  if [ -f "$dir/postgres.fresh" ]; then
    local pw
    pw="$(cat "$dir/postgres.password")"
    psql_su postgres <<SQL
CREATE ROLE $user LOGIN PASSWORD '$pw';
CREATE DATABASE $db OWNER $user ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
SQL
    rm -f "$dir/postgres.fresh"
  fi
  (umask 077
   echo "export SOHOA_TEST_CATALOG_URL=postgres://$user:$(cat "$dir/postgres.password")@127.0.0.1:$port/$db" \
     > "$dir/postgres.env")
  echo "postgres: pid $(cat "$pidf") on 127.0.0.1:$port, database $db" >&2
}

# SIGINT: fast shutdown.
stop() {
  local sig="${1:-INT}" pid
  [ -f "$pidf" ] || return 0
  pid="$(cat "$pidf")"
  stop_pidfile "$pidf" "$sig" 300
  if [ "$sig" = KILL ]; then # the postmaster's children go too, as after a crash of the host
    pkill -9 -P "$pid" 2>/dev/null || true
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop INT ;;
  kill) stop KILL ;;
  restart) stop INT; start ;;
  *) echo "usage: postgres.sh start|stop|restart|kill DIR" >&2; exit 64 ;;
esac
