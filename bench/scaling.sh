#!/usr/bin/env bash
# bench/scaling.sh — sohoa's throughput at 1, 2, … worker threads, and its cost per page as the
# dossier grows, with the peak RSS of each (issue 3, item 6).
#
# Pages: generated A4 pages at 300 dpi with mild scan damage (JPEG), mild_pool (lib.sh).
#   threads   the first 6 (quick) / 20 (full) pages at 1..cores workers (full: also 2 × cores),
#             3 (quick) / 5 (full) interleaved rounds
#   dossier   one dossier of 1, 10, 50 (full: 1, 10, 100, 500) pages at `cores` workers; rounds:
#             3 up to 10 pages, 2 at 100, 1 at 50 (quick) and 500, interleaved
# Writes $out/sections/40-scaling.md, $out/data/threads.tsv and dossier.tsv.
. "$(dirname "$0")/lib.sh"

pool=$(mild_pool)
sc="$out/scaling"
rm -rf "$sc"
mkdir -p "$sc"

# ---- threads ----
tp=$(pick 6 20)
set_link "$sc/threads" "$pool" "$tp"
threads="$(seq 1 "$cores") $(pick "" $((2 * cores)))"
tt="$out/data/threads.tsv"
: >"$tt"
rounds=$(pick 3 5)
for r in $(seq 1 "$rounds"); do
  for w in $threads; do
    rm -rf "$sc/data"
    BENCH_WORKERS=$w timed "$tt" threads "$w" "$r" "$tp" run_sohoa "$sc/threads" "$sc/data"
  done
  log "scaling: threads round $r/$rounds done"
done
rows_threads=$(rate_table "$tt" threads)
speedups=$(for w in $threads; do printf '| %s | %s |\n' "$w" "$(ratio "$tt" threads "$w" 1)"; done)
summary scale_1to2 "$(ratio "$tt" threads 2 1)"

# ---- dossier size ----
sizes=$(pick "1 10 50" "1 10 100 500")
rounds_for() { if [ "$1" -le 10 ]; then echo 3; elif [ "$1" -eq 100 ]; then echo 2; else echo 1; fi; }
for k in $sizes; do set_link "$sc/dossier-$k" "$pool" "$k"; done
dt="$out/data/dossier.tsv"
: >"$dt"
for r in 1 2 3; do
  for k in $sizes; do
    [ "$r" -le "$(rounds_for "$k")" ] || continue
    rm -rf "$sc/data"
    timed "$dt" dossier "$k" "$r" "$k" run_sohoa "$sc/dossier-$k" "$sc/data"
    log "scaling: dossier of $k pages, round $r done"
  done
done
rm -rf "$sc/data"
# per size: median seconds a page (range), CPU-seconds a page, peak RSS; relative to 10 pages
rows_dossier=$(awk -F'\t' "$AWK_LIB"'
  { k = $2; if (!(k in n)) order[++m] = k; n[k]++; s[k, n[k]] = $5 / $4; c[k, n[k]] = $6 / $4
    if ($7 > rss[k]) rss[k] = $7 }
  END { for (i = 1; i <= m; i++) { k = order[i]
          for (j = 1; j <= n[k]; j++) { a[j] = s[k, j]; b[j] = c[k, j] }
          med[k] = median(a, n[k]); lo[k] = a[1]; hi[k] = a[n[k]]; cpu[k] = median(b, n[k]) }
        for (i = 1; i <= m; i++) { k = order[i]
          printf "| %s | %d | %.3f s (%.3f–%.3f) | %.2f | %.2f s | %.2f× | %.0f MB |\n", k, n[k],
                 med[k], lo[k], hi[k], 1 / med[k], cpu[k], med[k] / med[10], rss[k] / 1024 } }' "$dt")
big=$(echo "$sizes" | awk '{ print $NF }')
flat=$(awk -F'\t' -v big="$big" "$AWK_LIB"'$2 == 10 { a[++na] = $5 / $4 } $2 == big { b[++nb] = $5 / $4 }
  END { printf "%.2f", median(b, nb) / median(a, na) }' "$dt")
summary flat_ratio "$flat"
summary flat_big "$big"
summary rss_big "$(awk -F'\t' -v big="$big" '$2 == big && $7 > m { m = $7 } END { printf "%.0f MB", m / 1024 }' "$dt")"

cat >"$out/sections/40-scaling.md" <<EOF
## Scaling

### Worker threads

The same $tp generated pages (A4, 300 dpi, mild damage, JPEG) at each number of workers, $rounds
interleaved rounds, on this $cores-core machine. Past $cores workers nothing more can be gained.

| workers | pages/s (median) | range | rounds | CPU use | peak RSS |
|---|---|---|---|---|---|
$rows_threads

| workers | speed-up over 1 worker, paired by round: median (range) |
|---|---|
$speedups

### Dossier size

One dossier of k pages (the first k of the same pool) at $workers workers, fresh data folder each
run. Cost a page is wall time over pages: it includes starting the process and loading a
Tesseract model per worker (~0.5 s), which only the smallest dossiers feel.

| pages | rounds | wall time a page (median, range) | pages/s | CPU a page | vs 10 pages | peak RSS |
|---|---|---|---|---|---|---|
$rows_dossier

Cost a page at $big pages over the cost at 10 pages: **${flat}×** (1.00 = flat).
EOF
log "scaling: done"
