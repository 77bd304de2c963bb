#!/usr/bin/env bash
# bench/bench_ingest.sh — the first benchmark: sohoa ingest vs its anchors on the same pages, in
# one run, reported as ratios (absolute figures drift on shared machines).
#
#   bench/bench_ingest.sh [--pages N] [--workers N] [--rounds R]
#
# Pages: the first N (default 10) of a fixed list — the 4 real government scans of vn-docs and the
# clean synthetic pages of vn-docs-clean (../shared/corpus). Anchors, each N-way parallel with
# OMP_THREAD_LIMIT=1 like sohoa:
#   tesseract CLI   one process per page image, `-l vie`, text + PDF output (xargs -P N)
#   ocrmypdf        --jobs N on one PDF made of the same images (img2pdf, lossless): its default
#                   output (PDF/A through Ghostscript) and --output-type pdf (ocrmypdf-pdf)
# Rounds are interleaved (sohoa, tesseract, ocrmypdf, sohoa, …); the report shows the median and
# the range of pages/s, peak RSS (max over rounds, /usr/bin/time) and the ratios.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pages=10; workers=$(nproc); rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --pages) pages="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "usage: $0 [--pages N] [--workers N] [--rounds R]" >&2; exit 64 ;;
  esac
done
corpus="${SOHOA_CORPUS_DIR:-$root/../shared/corpus}"
"$root/deploy/install.sh" --bench
build=$("$root/deploy/build.sh" "$root/build")
work="$root/bench/work/ingest"
rm -rf "$work"; mkdir -p "$work/pages" "$work/results"
export OMP_THREAD_LIMIT=1

i=0
for f in "$corpus"/vn-docs/pages/real_*_p1.png "$corpus"/vn-docs-clean/pages/*_p1.png; do
  [ "$i" -lt "$pages" ] || break
  cp "$f" "$work/pages/$(printf '%03d' "$i")-$(basename "$f")"
  i=$((i + 1))
done
n=$(ls "$work/pages" | wc -l)
img2pdf "$work"/pages/*.png -o "$work/pages.pdf"

timed() { # name round command... → appends "name round seconds maxrss_kb" to times.tsv
  local name="$1" round="$2"; shift 2
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" > "$work/results/$name-$round.log" 2>&1
  t1=$(date +%s.%N)
  echo -e "$name\t$round\t$(echo "$t1 - $t0" | bc -l)\t$(cat "$work/rss")" >> "$work/times.tsv"
}

: > "$work/times.tsv"
for r in $(seq 1 "$rounds"); do
  rm -rf "$work/sohoa-data"
  timed sohoa "$r" "$build/sohoa" ingest --quiet --workers "$workers" --data-dir "$work/sohoa-data" "$work/pages"
  rm -rf "$work/tess"; mkdir -p "$work/tess"
  timed tesseract "$r" sh -c "ls '$work'/pages/*.png | xargs -P '$workers' -I{} sh -c 'tesseract \"\$1\" \"$work/tess/\$(basename \"\$1\" .png)\" -l vie txt pdf 2>/dev/null' _ {}"
  timed ocrmypdf "$r" ocrmypdf --jobs "$workers" -l vie --force-ocr "$work/pages.pdf" "$work/ocrmypdf.pdf"
  timed ocrmypdf-pdf "$r" ocrmypdf --jobs "$workers" -l vie --output-type pdf --force-ocr "$work/pages.pdf" "$work/ocrmypdf-pdf.pdf"
done

awk -v n="$n" -F'\t' '
  { t[$1] = t[$1] " " $3; if ($4 > rss[$1]) rss[$1] = $4; cnt[$1]++ }
  END {
    for (k in t) {
      m = split(substr(t[k], 2), a, " ");
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
      med[k] = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
      printf "%-10s %6.2f pages/s (median of %d; range %.2f–%.2f)  peak RSS %6.1f MB\n", k, n / med[k], m, n / a[m], n / a[1], rss[k] / 1024
    }
    if (med["tesseract"]) printf "ratio sohoa / tesseract CLI: %.2fx\n", med["tesseract"] / med["sohoa"]
    if (med["ocrmypdf"]) printf "ratio sohoa / ocrmypdf:      %.2fx\n", med["ocrmypdf"] / med["sohoa"]
    if (med["ocrmypdf-pdf"]) printf "ratio sohoa / ocrmypdf --output-type pdf: %.2fx\n", med["ocrmypdf-pdf"] / med["sohoa"]
  }' "$work/times.tsv" | tee "$work/report.txt"
# where sohoa's time goes (its own per-stage timings, last round)
jq -s '[.[].document.timings_ms] | {decode: (map(.decode) | add), clean: (map(.clean) | add),
  ocr: (map(.ocr) | add), render: (map(.render) | add), store: (map(.store) | add),
  index: (map(.index) | add), assemble: (map(.assemble) | add)}
  | (to_entries | map(.value) | add) as $t | to_entries
  | map("\(.key) \(.value / 1000 * 100 | round / 100) s (\(.value / $t * 1000 | round / 10) %)") | join(", ")' \
  "$work"/sohoa-data/objects/docs/*/record.json | tr -d '"' | sed 's/^/sohoa stages: /' | tee -a "$work/report.txt"
echo "pages: $n, workers: $workers, rounds: $rounds; raw timings in $work/times.tsv"
