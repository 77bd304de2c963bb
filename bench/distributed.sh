#!/usr/bin/env bash
# bench/distributed.sh — what the many-machine path costs on one machine (issue 4, item 9): the
# same pages through
#   embedded      sohoa ingest --workers N (in-process queue, directory store, SQLite)
#   distributed   N `sohoa worker --workers 1` processes on RabbitMQ, objects on an S3 server
#                 (s3rver), the catalog on PostgreSQL, fed by `sohoa ingest --queue … --wait`
# in interleaved rounds; each distributed round starts its workers inside the timing (model
# loading included, as in embedded mode), uses a fresh S3 prefix and a fresh PostgreSQL schema, and
# stops the workers with SIGTERM. Then the queue layer alone: messages/s of publish + consume + ack
# through the in-process queue and through RabbitMQ (bench/tools/sohoa_queuebench).
# The servers are started here (tests/servers/*.sh, 127.0.0.1) and stopped at the end.
# Needs `deploy/install.sh --integration` (run.sh does it for this part).
. "$(dirname "$0")/lib.sh"

rounds="${BENCH_ROUNDS:-$(pick 3 4)}"
set="$out/sets/distributed"
rm -rf "$set"
set_vndocs "$set" 'real_*' "$(pick 2 4)"
pool=$(mild_pool)
set_link "$set" "$pool" "$(pick 10 28)"
n=$(set_count "$set")
times="$out/data/distributed.tsv"
: >"$times"
o="$out/distributed"
srv="$out/servers"
servers="$root/tests/servers"

"$root/deploy/install.sh" --integration >&2
# shellcheck disable=SC2317 # called through the trap
stop_servers() {
  "$servers/rabbitmq.sh" stop "$srv/rabbitmq" >/dev/null 2>&1 || true
  "$servers/s3rver.sh" stop "$srv/s3" >/dev/null 2>&1 || true
  "$servers/postgres.sh" stop "$srv/pg" >/dev/null 2>&1 || true
}
trap stop_servers EXIT
rm -rf "$srv"
"$servers/rabbitmq.sh" start "$srv/rabbitmq" >&2
"$servers/s3rver.sh" start "$srv/s3" >&2
"$servers/postgres.sh" start "$srv/pg" >&2
# shellcheck disable=SC1091
. "$srv/rabbitmq/rabbitmq.env"
# shellcheck disable=SC1091
. "$srv/s3/s3rver.env"
# shellcheck disable=SC1091
. "$srv/pg/postgres.env"
export DIST_QUEUE="$SOHOA_TEST_QUEUE_URL" DIST_PG="$SOHOA_TEST_CATALOG_URL"
export DIST_BUCKET="$SOHOA_TEST_S3_BUCKET" DIST_SET="$set"
export SOHOA_S3_ENDPOINT SOHOA_S3_ACCESS_KEY SOHOA_S3_SECRET_KEY

run_embedded() { "$sohoa" ingest --quiet --workers "$workers" --data-dir "$1" "$DIST_SET"; }

# run_distributed ROUND — workers and ingest against the servers, a prefix and schema per round.
run_distributed() {
  local r="$1" pids=() i rc=0 sep='?'
  case "$DIST_PG" in *\?*) sep='&' ;; esac
  export SOHOA_QUEUE="$DIST_QUEUE" SOHOA_STORE="s3://$DIST_BUCKET/bench-$r-$$"
  export SOHOA_CATALOG="$DIST_PG${sep}options=-csearch_path%3Dbench_${r}_$$"
  for i in $(seq "$workers"); do
    "$sohoa" worker --workers 1 >"$BENCH_OUT/logs/dist-worker-$r-$i.log" 2>&1 &
    pids+=($!)
  done
  "$sohoa" ingest --quiet --wait --timeout 1800 "$DIST_SET" || rc=$?
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for i in "${pids[@]}"; do wait "$i" || true; done
  return "$rc"
}

log "distributed: $n pages, $workers worker processes vs $workers threads, $rounds rounds"
for r in $(seq 1 "$rounds"); do
  rm -rf "$o"
  mkdir -p "$o"
  timed "$times" distributed embedded "$r" "$n" run_embedded "$o/embedded"
  timed "$times" distributed distributed "$r" "$n" run_distributed "$r"
  log "distributed: round $r/$rounds done"
done
rows=$(rate_table "$times" distributed)
r_dist=$(ratio "$times" distributed distributed embedded)
summary dist_pages "$n"
summary ratio_distributed "$r_dist"

# The queue layer alone: publish (with confirms on RabbitMQ), consume + ack, 2 consumers.
qb="$out/data/queuebench.tsv"
: >"$qb"
qrow() { # URL MESSAGES — one Markdown row from sohoa_queuebench's "key<TAB>value" lines
  local kv
  kv=$("$tools/sohoa_queuebench" --queue "$1" --messages "$2" --consumers 2 2>>"$out/logs/queuebench.log") ||
    { log "queuebench $1 failed"; return 0; }
  awk -F'\t' '{ v[$1] = $2 } END { printf "%s\t%s\t%s\t%s\t%s\n", v["backend"], v["messages"],
    v["publish_per_s"], v["consume_ack_per_s"], v["round_trip_per_s"] }' <<<"$kv" | tee -a "$qb" |
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }'
}
qrows="$(qrow mem: "$(pick 100000 1000000)")
$(qrow "$DIST_QUEUE" "$(pick 3000 20000)")"
summary queue_rate_amqp "$(awk -F'\t' '$1 == "amqp" { print $5 }' "$qb")"

cat >"$out/sections/70-distributed.md" <<EOF
## The many-machine path on one machine

Same $n pages (real scans at 200 dpi and generated A4 pages at 300 dpi) through the embedded
defaults and through the distributed backends — $workers \`sohoa worker --workers 1\` processes on
RabbitMQ, S3 (s3rver) and PostgreSQL, all on this machine — in $rounds interleaved rounds. Worker
start-up (model loading) is inside the timing in both modes.

| mode | pages/s (median) | range | rounds | CPU use | peak RSS (one process) |
|---|---|---|---|---|---|
$rows

**distributed / embedded: $r_dist** (the issue's bound: at most 10 % slower, i.e. ≥ 0.90×).

The queue layer alone (\`sohoa_queuebench\`: publish — with publisher confirms on RabbitMQ —
then 2 consumers take and ack; empty page jobs; messages/s):

| backend | messages | publish | consume + ack | round trip |
|---|---|---|---|---|
$qrows
EOF
log "distributed: $r_dist"
