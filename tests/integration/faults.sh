#!/usr/bin/env bash
# Integration test: the distributed pipeline (sohoa worker processes on RabbitMQ, objects on an S3
# server, the catalog on PostgreSQL — all real servers started here on 127.0.0.1) under faults.
# Each scenario ingests fresh dossiers with `sohoa ingest --queue … --wait`, injects one fault while
# the workers run, and must end with: ingest exit 0, every document done, exactly one page row per
# page and one record per document, no page lost, and an empty dead-letter queue (or, for the
# poison scenario, exactly the poisoned jobs in it, then none after the fix and a replay).
#
#   kill9     kill -9 a worker in the middle of a page; a replacement worker takes over
#   broker    stop and restart RabbitMQ during the run
#   s3        the S3 server unreachable for 30 s during the run
#   postgres  PostgreSQL restarted during the run
#   poison    an original missing from the store: its page jobs are retried, then dead-lettered
#             with the reason; the object is put back and `sohoa dlq replay` finishes the dossier
#
# usage: faults.sh BUILD_DIR CORPUS_DIR WORK_DIR [SCENARIO...]   (default: all, in that order)
# shellcheck disable=SC2317 # fault_* are called through "$fault"
set -euo pipefail
build="$(realpath "$1")"
work="$3"
shift 3
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(kill9 broker s3 postgres poison)
here="$(cd "$(dirname "$0")" && pwd)"
servers="$here/../servers"
sohoa="$build/sohoa"
gen="$build/bench/sohoa_gen"

rm -rf "$work" && mkdir -p "$work"
work="$(cd "$work" && pwd)"
srv="$work/servers"
worker_pids=()

say() { echo "faults: $*" >&2; }

stop_workers() {
  local p
  for p in "${worker_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${worker_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  worker_pids=()
}

# shellcheck disable=SC2317 # called through the trap
cleanup() {
  stop_workers
  "$servers/rabbitmq.sh" stop "$srv/rabbitmq" >/dev/null 2>&1 || true
  "$servers/s3rver.sh" stop "$srv/s3" >/dev/null 2>&1 || true
  "$servers/postgres.sh" stop "$srv/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting RabbitMQ, s3rver and PostgreSQL"
"$servers/rabbitmq.sh" start "$srv/rabbitmq"
"$servers/s3rver.sh" start "$srv/s3"
"$servers/postgres.sh" start "$srv/pg"
# shellcheck disable=SC1091
. "$srv/rabbitmq/rabbitmq.env"
# shellcheck disable=SC1091
. "$srv/s3/s3rver.env"
# shellcheck disable=SC1091
. "$srv/pg/postgres.env"
pg_url="$SOHOA_TEST_CATALOG_URL"
export SOHOA_QUEUE="$SOHOA_TEST_QUEUE_URL" SOHOA_CATALOG="$pg_url"
export SOHOA_STORE="s3://$SOHOA_TEST_S3_BUCKET/faults"
export SOHOA_WORKERS=1
objects="$srv/s3/s3rver-data/$SOHOA_TEST_S3_BUCKET/faults"

sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 "$pg_url" -c "$1"; }

start_worker() { # start_worker NAME
  "$sohoa" worker --grace 60 >"$work/$1.log" 2>&1 &
  worker_pids+=($!)
  say "worker $1: pid $!"
}

# Pages recorded so far for the dossiers of a scenario (they were ingested from WORK/NAME/in/).
pages_done() { sql "SELECT count(*) FROM pages p JOIN documents d ON d.id = p.doc_id
                    JOIN dossiers s ON s.id = d.dossier_id WHERE s.path LIKE '%/$1/in/%'" \
                 2>/dev/null || echo 0; }

wait_pages() { # wait_pages NAME N — until N pages of the scenario are recorded (or 300 s)
  for _ in $(seq 600); do
    [ "$(pages_done "$1")" -ge "$2" ] && return 0
    sleep 0.5
  done
  say "timed out waiting for $2 pages of $1"; return 1
}

# make_dossiers NAME N — N dossiers of 4 one-page documents each, at 150 dpi (quick to OCR); seeds
# differ between scenarios, so no document is already known to the catalog.
seed=40
make_dossiers() {
  local i
  for i in $(seq "$2"); do
    seed=$((seed + 1))
    "$gen" --dossier "$work/$1/in/$1-$i" --docs 4 --seed "$seed" --dpi 150 >/dev/null 2>&1
  done
}

fail=0
checked=0
check() { # check NAME — the end state every scenario must reach
  local name="$1" docs pages expected bad records dead
  docs=$(sql "SELECT count(*) FROM documents d JOIN dossiers s ON s.id = d.dossier_id
              WHERE s.path LIKE '%/$name/in/%'")
  bad=$(sql "SELECT count(*) FROM documents d JOIN dossiers s ON s.id = d.dossier_id
             WHERE s.path LIKE '%/$name/in/%' AND d.status <> 'done'")
  expected=$(sql "SELECT coalesce(sum(d.n_pages), 0) FROM documents d JOIN dossiers s
                  ON s.id = d.dossier_id WHERE s.path LIKE '%/$name/in/%'")
  pages=$(sql "SELECT count(*) FROM pages p JOIN documents d ON d.id = p.doc_id
               JOIN dossiers s ON s.id = d.dossier_id WHERE s.path LIKE '%/$name/in/%'")
  # one record.json object per document of the scenario (keys are per document: a duplicate would
  # be a second key, a loss no key)
  records=0
  local id
  for id in $(sql "SELECT d.id FROM documents d JOIN dossiers s ON s.id = d.dossier_id
                   WHERE s.path LIKE '%/$name/in/%'"); do
    records=$((records + $(find "$objects/docs/$id" -name 'record.json._S3rver_object' \
      2>/dev/null | awk 'END { print NR }')))
  done
  dead=$("$sohoa" dlq list 2>/dev/null | awk 'NF { n++ } END { print n + 0 }')
  # the ingest log must not show a password (the catalog URL has one)
  if grep -q "$(sed -n 's|.*//[^:]*:\([^@]*\)@.*|\1|p' <<<"$pg_url")" "$work/$name-ingest.log"; then
    say "FAIL: $name: the catalog password appears in the ingest log"; fail=1
  fi
  say "$name: $docs documents ($bad not done), $pages/$expected pages, $records records, $dead dead-lettered"
  if [ "$docs" -eq 0 ] || [ "$bad" -ne 0 ] || [ "$pages" -ne "$expected" ] ||
     [ "$records" -ne "$docs" ] || [ "$dead" -ne 0 ]; then
    say "FAIL: $name"; fail=1
  else
    say "ok: $name"
  fi
  checked=$((checked + 1))
}

# finish NAME INGEST_PID — the end of a scenario: the waiting ingest must exit 0; then the checks.
finish() {
  local rc=0
  wait "$2" || rc=$?
  [ "$rc" -eq 0 ] || { say "$1: ingest exited $rc"; tail -5 "$work/$1-ingest.log" >&2; fail=1; }
  stop_workers
  check "$1"
}

# run NAME FAULT — two workers, an ingest that waits, the fault once 2 pages are recorded.
run() {
  local name="$1" fault="$2" ingest_pid
  say "== $name"
  make_dossiers "$name" 3
  start_worker "$name-w1"
  start_worker "$name-w2"
  "$sohoa" ingest --wait --timeout 600 "$work/$name/in"/* >"$work/$name-ingest.log" 2>&1 &
  ingest_pid=$!
  wait_pages "$name" 2 || true
  "$fault"
  finish "$name" "$ingest_pid"
}

fault_kill9() {
  # the first worker is in the middle of a page (each takes ~1 s, 12 pages for 2 workers)
  say "kill -9 worker ${worker_pids[0]}"
  kill -9 "${worker_pids[0]}"
  start_worker "kill9-w3"
}
fault_broker() {
  say "restarting RabbitMQ"
  "$servers/rabbitmq.sh" restart "$srv/rabbitmq"
}
fault_s3() {
  say "S3 server down for 30 s"
  "$servers/s3rver.sh" stop "$srv/s3"
  sleep 30
  "$servers/s3rver.sh" start "$srv/s3"
}
fault_postgres() {
  say "restarting PostgreSQL"
  "$servers/postgres.sh" restart "$srv/pg"
}

# poison: no workers while the dossier is ingested; one original is then taken out of the store,
# so its page job fails on every attempt and ends in the dead-letter queue with the reason.
run_poison() {
  local name=poison ingest_pid dead orig
  say "== $name"
  make_dossiers "$name" 1
  "$sohoa" ingest --wait --timeout 900 "$work/$name/in"/* >"$work/$name-ingest.log" 2>&1 &
  ingest_pid=$!
  for _ in $(seq 300); do
    [ "$(sql "SELECT count(*) FROM documents d JOIN dossiers s ON s.id = d.dossier_id
              WHERE s.path LIKE '%/$name/in/%'" 2>/dev/null || echo 0)" -ge 4 ] && break
    sleep 0.2
  done
  local doc
  doc=$(sql "SELECT d.id FROM documents d JOIN dossiers s ON s.id = d.dossier_id
             WHERE s.path LIKE '%/$name/in/%' ORDER BY d.ordinal LIMIT 1")
  orig="$objects/originals/$doc._S3rver_object" # s3rver's file for the object originals/<doc>
  [ -f "$orig" ] || orig=""
  [ -n "$orig" ] || { say "FAIL: poison: original of $doc not found under $objects"; fail=1; return; }
  mkdir -p "$work/poison-aside"
  mv "$orig" "$work/poison-aside/"
  start_worker "$name-w1"
  start_worker "$name-w2"
  for _ in $(seq 600); do
    dead=$("$sohoa" dlq list 2>/dev/null | awk 'NF { n++ } END { print n + 0 }')
    [ "$dead" -ge 1 ] && break
    sleep 1
  done
  "$sohoa" dlq list > "$work/poison-dlq.txt" 2>&1 || true
  cat "$work/poison-dlq.txt" >&2
  if [ "$dead" -lt 1 ] || ! grep -q "$doc" "$work/poison-dlq.txt"; then
    say "FAIL: poison: the job of $doc never reached the dead-letter queue"; fail=1
  fi
  say "putting the original back and replaying"
  mv "$work/poison-aside/$(basename "$orig")" "$orig"
  "$sohoa" dlq replay --all
  finish "$name" "$ingest_pid"
}

for s in "${scenarios[@]}"; do
  case "$s" in
    kill9 | broker | s3 | postgres) run "$s" "fault_$s" ;;
    poison) run_poison ;;
    *) say "unknown scenario $s"; exit 64 ;;
  esac
done
# (a shell error inside a scenario would skip the rest of the loop: count what was checked)
[ "$checked" -eq "${#scenarios[@]}" ] || { say "FAIL: $checked of ${#scenarios[@]} scenarios checked"; fail=1; }
[ "$fail" -eq 0 ] && say "all scenarios passed"
exit "$fail"
