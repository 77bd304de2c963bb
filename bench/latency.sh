#!/usr/bin/env bash
# bench/latency.sh — time to result of a one-page job submitted on the interactive lane while a
# bulk backlog keeps every worker busy (issue 3, item 7), with bench/tools/sohoa_latency.
#
# Bulk: a dossier of 80 (quick) / 250 (full) generated A4 pages (300 dpi, mild damage, JPEG), at
# `cores` workers. Interactive: 10 / 30 other generated A4 pages of the same kind, one every 2 s,
# each a document of its own. Time to result runs from the intake call (hashing and storing the
# original included) until the catalog reports the document done.
# Writes $out/sections/50-latency.md and $out/data/latency.tsv.
. "$(dirname "$0")/lib.sh"

n=$(pick 10 30)
bulk_n=$(pick 80 250)
pool=$(mild_pool)
ia=$(gen_cached "interactive-$n" "$n" 5 --damage mild --format jpeg)
lt="$out/latency"
rm -rf "$lt"
set_link "$lt/bulk" "$pool" "$bulk_n"
set_link "$lt/interactive" "$ia" "$n"

tsv="$out/data/latency.tsv"
log "latency: $n interactive pages over a bulk backlog of $bulk_n pages, $workers workers"
mapfile -t files < <(set_images "$lt/interactive")
"$tools/sohoa_latency" --data-dir "$lt/data" --workers "$workers" --interval-ms 2000 \
  --bulk "$lt/bulk" "${files[@]}" >"$tsv" 2>"$out/logs/latency.log"
rm -rf "$lt/data"

read -r k p50 p95 max < <(pctls "$tsv" 1)
ms_to_s() { printf '%.2f' "$(echo "$1 / 1000" | bc -l)"; }
unloaded=$(awk -F'\t' '!/^#/ && $3 == 0' "$tsv" | wc -l)
not_done=$(awk -F'\t' '!/^#/ && $2 != "done"' "$tsv" | wc -l)
bulk_pages=$(awk -F'\t' '$1 == "# bulk_pages_during" { print $2 }' "$tsv")
secs=$(awk -F'\t' '$1 == "# seconds" { print $2 }' "$tsv")
summary lat_p50 "$(ms_to_s "$p50") s"
summary lat_p95 "$(ms_to_s "$p95") s"

cat >"$out/sections/50-latency.md" <<EOF
## Interactive latency under bulk load

\`bench/tools/sohoa_latency\` opens the runtime as \`sohoa ingest\` does ($workers workers, embedded
defaults), queues a bulk dossier of $bulk_n generated A4 pages (300 dpi, mild damage, JPEG) on the
bulk lane from a thread of its own, waits until every worker is busy, then submits $n other such
pages one at a time on the interactive lane, one every 2 s. Time to result: from the intake call
(hashing and storing the original included) until \`sohoa_catalog_progress\` reports the document
done (polled every 5 ms).

| samples | p50 | p95 | max | bulk pages done meanwhile |
|---|---|---|---|---|
| $k | **$(ms_to_s "$p50") s** | **$(ms_to_s "$p95") s** | $(ms_to_s "$max") s | $bulk_pages in $secs s ($(printf '%.2f' "$(echo "$bulk_pages / $secs" | bc -l)") pages/s) |

Samples whose bulk lane was empty at submission (not under load): $unloaded; documents not "done":
$not_done. A page waits for a worker to finish its current bulk page (interactive jobs are taken
first, but a running page is not pre-empted), then takes one page's processing time.
EOF
log "latency: done"
