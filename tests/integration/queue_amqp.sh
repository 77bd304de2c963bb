#!/usr/bin/env bash
# tests/integration/queue_amqp.sh BUILD_DIR CORPUS_DIR WORK_DIR — the queue contract and the
# worker processes against a real RabbitMQ (tests/servers/rabbitmq.sh, stopped on exit):
#   1. the queue conformance suite (tests/unit/test_queue.c) against the broker, with a broker
#      restart in the middle of its reconnect test;
#   2. end to end: `sohoa ingest --queue … --wait` publishes a few generated dossiers (PNG pages and
#      a multi-page TIFF) while two `sohoa worker` processes consume them (embedded directory store
#      and SQLite catalog); one worker gets SIGTERM during the run and must stop gracefully, a third
#      takes its place. Every document must end "done", with exactly one catalog row and one
#      record.json per document, and the queue must be empty: nothing ready, nothing dead.
#   3. `sohoa serve` on the shared queue answers POST /v1/extract through RabbitMQ.
#   4. the same new content published at the same moment by two `ingest --queue --wait` processes
#      (two dossiers) while two workers consume: both ingests end, both dossiers hold the document,
#      and the workers processed its page once and assembled it once.
set -euo pipefail
build="$(cd "${1:?usage: queue_amqp.sh BUILD_DIR CORPUS_DIR WORK_DIR}" && pwd)"
work="${3:?usage: queue_amqp.sh BUILD_DIR CORPUS_DIR WORK_DIR}"
src="$(cd "$(dirname "$0")/../.." && pwd)"
sohoa="$build/sohoa"
gen="$build/bench/sohoa_gen"
rm -rf "$work" && mkdir -p "$work"
work="$(cd "$work" && pwd)"
pids=()

fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  bash "$src/tests/servers/rabbitmq.sh" stop "$work/rabbitmq" || true
}
trap cleanup EXIT

bash "$src/tests/servers/rabbitmq.sh" start "$work/rabbitmq"
# shellcheck disable=SC1091
. "$work/rabbitmq/rabbitmq.env"
url="$SOHOA_TEST_QUEUE_URL"

echo "== 1. conformance suite against RabbitMQ"
SOHOA_TEST_QUEUE_RESTART="bash '$src/tests/servers/rabbitmq.sh' restart '$work/rabbitmq' >/dev/null" \
  "$build/tests/test_queue" || fail "queue conformance suite against amqp"

echo "== 2. ingest --queue with two worker processes"
# full pages at 150 dpi in three dossiers (a few seconds of OCR each, so the SIGTERM below lands
# while a worker is in the middle of a page), and a short 3-page TIFF
for d in 1 2 3; do
  "$gen" --out "$work/gen/hs$d" --pages 4 --dpi 200 --seed "$d" > /dev/null
  mkdir -p "$work/in/hs$d" && mv "$work/gen/hs$d"/*.png "$work/in/hs$d/"
done
"$gen" --out "$work/gen/hs4" --pages 3 --dpi 150 --lines-per-page 5 --format tiff-multi \
  --seed 4 > /dev/null
mkdir -p "$work/in/hs4" && mv "$work/gen/hs4"/*.tif "$work/in/hs4/"
n_docs=$(find "$work/in" -type f | wc -l)

export SOHOA_QUEUE="$url" SOHOA_DATA_DIR="$work/data" SOHOA_WORKERS=1
"$sohoa" worker --grace 120 > "$work/worker1.log" 2>&1 & w1=$!; pids+=("$w1")
"$sohoa" worker > "$work/worker2.log" 2>&1 & w2=$!; pids+=("$w2")
"$sohoa" ingest --wait --timeout 900 --quiet "$work"/in/hs* > "$work/ingest.out" 2> "$work/ingest.log" &
ingest=$!
sleep 2
# a graceful stop in the middle of the run: the running job is finished, nothing is lost
kill -TERM "$w1"
wait "$w1" || fail "worker 1 exited with status $? after SIGTERM (log: $(tail -3 "$work/worker1.log"))"
grep -q "taking no new jobs" "$work/worker1.log" || fail "worker 1 did not log its graceful stop"
grep "taking no new jobs\|stopped" "$work/worker1.log"
"$sohoa" worker > "$work/worker3.log" 2>&1 & w3=$!; pids+=("$w3")
rc=0; wait "$ingest" || rc=$?
cat "$work/ingest.out"
[ "$rc" = 0 ] || fail "ingest --wait exited $rc: $(tail -5 "$work/ingest.log")"

# every document done, one catalog row and one record.json each
sqlite_rows() { # counts with the catalog's own reader: `sohoa show` of every dossier
  for d in "$work"/in/hs*; do "$sohoa" show "$(basename "$d")"; done
}
shown="$(sqlite_rows)"
echo "$shown" > "$work/show.txt"
done_docs=$(grep -c '\[done\]' "$work/show.txt" || true)
records=$(find "$work/data/objects/docs" -name record.json | wc -l)
[ "$records" = "$n_docs" ] || fail "$records record.json files for $n_docs documents"
grep -q "$n_docs document(s) ok, 0 partial, 0 failed" "$work/ingest.out" ||
  fail "not every document is done: $(cat "$work/ingest.out")"
[ "$done_docs" -ge "$n_docs" ] || fail "sohoa show lists $done_docs done documents, want $n_docs"
if command -v sqlite3 > /dev/null; then
  rows=$(sqlite3 "$work/data/catalog.sqlite" "select count(*) from documents")
  [ "$rows" = "$n_docs" ] || fail "$rows catalog rows for $n_docs documents"
fi

status="$("$sohoa" status --json)"
echo "status: $status"
echo "$status" | grep -q '"interactive":{"ready":0' || fail "interactive lane not empty: $status"
echo "$status" | grep -q '"bulk":{"ready":0' || fail "bulk lane not empty: $status"
echo "$status" | grep -q '"dead":0' || fail "dead-lettered jobs: $("$sohoa" dlq list)"

for p in "$w2" "$w3"; do kill -TERM "$p"; done
for p in "$w2" "$w3"; do wait "$p" || fail "a worker exited with status $? after SIGTERM"; done
pids=()
echo "PASS: $n_docs documents through RabbitMQ and 3 worker processes"

echo "== 3. sohoa serve on the shared queue: POST /v1/extract answered through RabbitMQ"
# serve's own threads consume the shared lanes like any worker; a separate worker process helps;
# the answer is read from the catalog, wherever the document was processed.
# shellcheck source=tests/servers/lib.sh
. "$src/tests/servers/lib.sh"
token=integration-token-0123456789
"$sohoa" serve --listen 127.0.0.1:0 --api-token "$token" --workers 1 > "$work/serve.log" 2>&1 &
sp=$!; pids+=("$sp")
"$sohoa" worker > "$work/worker4.log" 2>&1 & w4=$!; pids+=("$w4")
port=$(serve_port "$work/serve.log") || fail "serve did not start"
card="$src/tests/data/api/cccd_front.jpg"
want=$(jq -r '.fields.id_number' "$src/tests/data/api/cccd_front.json")
answer=$(curl -sS --max-time 120 -H "Authorization: Bearer $token" -H "Content-Type: image/jpeg" \
  --data-binary @"$card" "http://127.0.0.1:$port/v1/extract?name=card.jpg") ||
  fail "POST /v1/extract: curl failed"
got=$(jq -r '.fields.id_number.value // empty' <<<"$answer")
[ "$(jq -r .type <<<"$answer")" = cccd_front ] || fail "extract through RabbitMQ: $answer"
[ "$got" = "$want" ] || fail "extract through RabbitMQ: id_number $got, want $want"
for p in "$sp" "$w4"; do kill -TERM "$p"; done
for p in "$sp" "$w4"; do wait "$p" || fail "serve or worker exited with status $? after SIGTERM"; done
pids=()
echo "PASS: the API answered a CCCD extract through RabbitMQ (id_number $got)"

echo "== 4. the same content from two ingest processes at once, two workers"
"$gen" --out "$work/gen/same" --pages 1 --dpi 150 --lines-per-page 6 --seed 99 > /dev/null
for d in same-a same-b; do
  mkdir -p "$work/in2/$d" && cp "$work/gen/same"/*.png "$work/in2/$d/scan.png"
done
"$sohoa" worker > "$work/worker5.log" 2>&1 & w5=$!; pids+=("$w5")
"$sohoa" worker > "$work/worker6.log" 2>&1 & w6=$!; pids+=("$w6")
"$sohoa" ingest --wait --timeout 600 --quiet "$work/in2/same-a" > "$work/same-a.out" 2>&1 & ia=$!
"$sohoa" ingest --wait --timeout 600 --quiet "$work/in2/same-b" > "$work/same-b.out" 2>&1 & ib=$!
wait "$ia" || fail "ingest same-a: exit $? ($(cat "$work/same-a.out"))"
wait "$ib" || fail "ingest same-b: exit $? ($(cat "$work/same-b.out"))"
for p in "$w5" "$w6"; do kill -TERM "$p"; done
for p in "$w5" "$w6"; do wait "$p" || fail "worker exited with status $? after SIGTERM"; done
pids=()
sum() { sed -n "s/.*stopped: \([0-9]*\) pages, \([0-9]*\) documents finished.*/\\$1/p" \
  "$work/worker5.log" "$work/worker6.log" | awk '{s += $1} END {print s + 0}'; }
pages=$(sum 1) docs=$(sum 2)
[ "$pages" = 1 ] || fail "the same content was processed $pages times (worker logs: $(tail -2 "$work/worker5.log" "$work/worker6.log"))"
[ "$docs" = 1 ] || fail "the same content was assembled $docs times"
doc=$(sha256sum "$work/in2/same-a/scan.png" | cut -d' ' -f1)
for d in same-a same-b; do
  "$sohoa" show "$d" | grep -q "id $doc" || fail "dossier $d does not hold the document"
done
echo "PASS: the same content from two ingest processes: 1 page processed, 1 assembly, both dossiers hold it"
