#!/usr/bin/env bash
# bench/api.sh [BUILD_DIR] — POST /v1/extract latency (p50 / p95 / max) of `sohoa serve` for an
# ID-card-sized image and an A4 form page, idle and while a bulk dossier (POST /v1/dossiers)
# keeps every worker busy (issue 5, item 9; targets: ID card p95 <= 1.5 s, A4 p95 <= 3 s under
# full bulk load).
#
# Pages come from bench/tools/sohoa_gen (300 dpi, mild scan damage, JPEG), every request a
# different page (the same bytes twice would be answered from the catalog); the ID card is a
# generated CCCD front (`sohoa_gen --doctype cccd_front`, each a different person) at 300 dpi,
# 1011x638 px (85.6 x 54 mm).
# `sohoa serve` runs `workers` general threads (both lanes, nice +10) plus `interactive-workers`
# reserved ones (default 1; SOHOA_APIBENCH_IW overrides) for the interactive lane only.
# Latency is curl's time_total: upload, intake (hash, store the original), OCR on the
# interactive lane, record, answer. Requests are sequential. Writes bench/work/api/latency.tsv
# and prints a Markdown table.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/servers/lib.sh
. "$src/tests/servers/lib.sh"
build=$(cd "${1:-$src/build}" && pwd)
n=${SOHOA_APIBENCH_N:-10}           # requests per size and condition
bulk_pages=${SOHOA_APIBENCH_BULK:-60}
workers=$(nproc)
iw=${SOHOA_APIBENCH_IW:-1} # interactive-workers
work="$src/bench/work/api"
gen="$build/bench/sohoa_gen"
token=apibench-token-0123456789
rm -rf "$work" && mkdir -p "$work/a4" "$work/card" "$work/bulk"

echo "generating $((4 * n)) request pages and a $bulk_pages-page bulk dossier..." >&2
"$gen" --out "$work/a4" --pages $((2 * n)) --damage mild --format jpeg --seed 11 --name a4 >/dev/null
"$gen" --out "$work/card" --doctype cccd_front --count $((2 * n)) --card-dpi 300 --damage mild \
  --format jpeg --seed 12 >/dev/null
"$gen" --out "$work/bulk" --pages "$bulk_pages" --damage mild --format jpeg --seed 13 --name b >/dev/null

load0=$(cut -d' ' -f1-3 /proc/loadavg)
pid=
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; }
trap stop EXIT
: >"$work/serve.log"
OMP_THREAD_LIMIT=1 "$build/sohoa" serve --data-dir "$work/data" --listen 127.0.0.1:0 \
  --api-token "$token" --workers "$workers" --interactive-workers "$iw" --max-upload-bytes 500000000 2>"$work/serve.log" &
pid=$!
port=$(serve_port "$work/serve.log") || exit 1
url="http://127.0.0.1:$port"
auth="Authorization: Bearer $token"

tsv="$work/latency.tsv"
printf 'kind\tcondition\tseconds\thttp\n' >"$tsv"
# extract KIND CONDITION FILES...: one request per file, sequentially
extract() {
  local kind=$1 cond=$2
  shift 2
  for f in "$@"; do
    out=$(curl -sS -o "$work/last.json" -w '%{http_code} %{time_total}' -H "$auth" \
      -H 'Content-Type: image/jpeg' --data-binary @"$f" "$url/v1/extract")
    printf '%s\t%s\t%s\t%s\n' "$kind" "$cond" "${out#* }" "${out%% *}" >>"$tsv"
  done
}
a4=("$work"/a4/a4-*.jpg)
card=("$work"/card/cccd_front-*.jpg)
# one warm-up request (models loaded, caches warm), not counted
extract warmup idle "${card[0]}" && sed -i '$d' "$tsv"
extract card idle "${card[@]:1:$n}"
extract a4 idle "${a4[@]:0:$n}"

# bulk load: one dossier of bulk_pages pages on the bulk lane
form=(-F 'metadata={"title":"bulk load"}')
for f in "$work"/bulk/b-*.jpg; do form+=(-F "files=@$f"); done
curl -sS -f -o /dev/null -H "$auth" "${form[@]}" "$url/v1/dossiers"
sleep 3 # intake has queued pages; every worker busy
extract card bulk "${card[@]:$((n + 1)):$((n - 1))}" "${card[0]}"
extract a4 bulk "${a4[@]:$n:$n}"
stop
pid=

pct() { # pct KIND COND P
  awk -F'\t' -v k="$1" -v c="$2" '$1 == k && $2 == c { print $3 }' "$tsv" | sort -n |
    awk -v p="$3" '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
      i = int(p * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.2f", v[i] }'
}
echo
echo "| image | condition | requests | p50 s | p95 s | max s | target p95 |"
echo "|---|---|---|---|---|---|---|"
for k in card a4; do
  for c in idle bulk; do
    cnt=$(awk -F'\t' -v k="$k" -v c="$c" '$1 == k && $2 == c' "$tsv" | wc -l)
    tgt=$([ "$c" = bulk ] && { [ "$k" = card ] && echo "<= 1.5" || echo "<= 3"; } || echo "-")
    echo "| $([ $k = card ] && echo 'CCCD card 1011x638' || echo 'A4 2480x3508') | $c | $cnt | $(pct $k $c 0.5) | $(pct $k $c 0.95) | $(pct $k $c 1) | $tgt |"
  done
done
non200=$(awk -F'\t' 'NR > 1 && $4 != 200' "$tsv" | wc -l)
echo
echo "workers: $workers + $iw interactive-only; load before the run: $load0; bulk dossier: $bulk_pages A4 pages; answers other than 200: $non200; raw data: $tsv"
