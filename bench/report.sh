#!/usr/bin/env bash
# bench/report.sh — assembles bench/results/REPORT.md from this run ($out): the machine, the
# versions, the issue's targets against what was measured, then every part's section; copies the
# plots and the raw data (small TSVs) next to it. Run by run.sh after the parts and plot.sh.
. "$(dirname "$0")/lib.sh"

res="$root/bench/results"
mkdir -p "$res"
rm -rf "$res"/*.png "$res/data"
cp "$out"/plots/*.png "$res/" 2>/dev/null || true
mkdir -p "$res/data"
for f in "$out"/data/*.tsv; do [ "$(stat -c %s "$f")" -lt 200000 ] && cp "$f" "$res/data/"; done

get() { awk -F'\t' -v k="$1" '$1 == k { v = $2 } END { print v }' "$out/data/summary.tsv" "$out/data/run.tsv" 2>/dev/null; }
num() { sed 's/[^0-9.].*//' <<<"$1"; } # leading number of "1.13× (…)", "2.41 s", "65.2 ms"
verdict() { # VALUE OP LIMIT → met / NOT met / not measured
  [ -n "$1" ] || { echo "not measured"; return; }
  if awk -v a="$(num "$1")" -v b="$3" "BEGIN { exit !(a $2 b) }"; then echo "met"; else echo "**NOT met**"; fi
}
cer_all() { printf '%s %% / %s %% / %s %%' "$(get cer_all_sohoa)" "$(get cer_all_tesseract)" "$(get cer_all_ocrmypdf)"; }
cer_ok() {
  [ -n "$(get cer_all_sohoa)" ] || { echo "not measured"; return; }
  awk -v s="$(get cer_all_sohoa)" -v t="$(get cer_all_tesseract)" -v o="$(get cer_all_ocrmypdf)" \
    'BEGIN { exit !(s < t && s < o) }' && echo "met" || echo "**NOT met**"
}
# one row per part, the last measurement of each (a part re-measured with run.sh --rerun says so)
parts_table() {
  awk -F'\t' '$1 == "part" { if (($2 in when)) again[$2] = 1; when[$2] = $3; secs[$2] = $4
      lb[$2] = $5; la[$2] = $6; c[$2] = $7; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
    END { for (i = 1; i <= n; i++) { k = order[i]
            printf "| %s%s | %s | %.1f | %s / %s | %s |\n", k, again[k] ? " (re-measured)" : "",
                   when[k], secs[k] / 60, lb[k], la[k], c[k] } }' "$out/data/run.tsv"
}
secs=$(get seconds)

{
  cat <<EOF
# sohoa benchmark report

Written by \`bench/run.sh$(quick && echo " --quick")\` ($mode mode) on $(date -u '+%Y-%m-%d %H:%M UTC'); the suite ran in $((secs / 60)) min $((secs % 60)) s.
Every figure below was measured by this suite on this machine, each part in one go; speeds are
compared as ratios measured side by side, because absolute times drift on this shared machine.

| part | measured at (UTC) | minutes | load average before / after (1, 5, 15 min) | sohoa built from |
|---|---|---|---|---|
$(parts_table)

| machine | |
|---|---|
| CPU | $(lscpu | sed -n 's/^Model name: *//p'), $cores cores |
| memory | $(free -g | awk '/^Mem:/ { print $2 " GB" }') |
| system | $(. /etc/os-release && echo "$PRETTY_NAME"), Linux $(uname -r) |
| load | other engineers share the machine: see the load averages per part above |
| sohoa | $("$sohoa" version | paste -sd ',' | sed 's/,/, /g') (the commit each part measured: above) |
| anchors | tesseract $(tesseract --version 2>&1 | head -1 | cut -d' ' -f2) CLI, \`vie\` $(dpkg-query -W -f '${Version}' tesseract-ocr-vie) (fast model); ocrmypdf $(ocrmypdf --version); Ghostscript $(gs --version); img2pdf $(img2pdf --version | cut -d' ' -f2) |
| settings | $workers-way parallel for every tool, \`OMP_THREAD_LIMIT=1\` |

## Targets (issue 3)

| target | measured | verdict |
|---|---|---|
| sohoa ≥ 1.0× the tesseract CLI's pages/s | $(get ratio_tesseract) | $(verdict "$(get ratio_tesseract)" ">=" 1.0) |
| sohoa ≥ 5× ocrmypdf's pages/s (default output) | $(get ratio_ocrmypdf) | $(verdict "$(get ratio_ocrmypdf)" ">=" 5) |
| … and vs ocrmypdf --output-type pdf | $(get ratio_ocrmypdf_pdf) | $(verdict "$(get ratio_ocrmypdf_pdf)" ">=" 5) |
| lower CER than both (pooled, every page: sohoa / tesseract / ocrmypdf) | $(cer_all) | $(cer_ok) |
| ≥ 1.8× from 1 to 2 threads | $(get scale_1to2) | $(verdict "$(get scale_1to2)" ">=" 1.8) |
| cost a page flat from 10 to $(get flat_big) pages (within 10 %) | $(get flat_ratio)× | $(verdict "$(get flat_ratio)" "<=" 1.10) |
| interactive p95 ≤ 3 s under full bulk load | p95 $(get lat_p95) (p50 $(get lat_p50)) | $(verdict "$(get lat_p95)" "<=" 3) |
| search p95 ≤ 100 ms on 100 000 pages (worst kind) | $(get search_p95_worst) (all kinds $(get search_p95)) | $(verdict "$(get search_p95_worst)" "<=" 100) |

Also: pure OCR is $(get ocr_share) of sohoa's stage time; searchable PDF $(get size_sohoa) the input
images' bytes (ocrmypdf $(get size_ocrmypdf)); index $(get index_per_page) a page; peak RSS
$(get rss_big) for a $(get flat_big)-page dossier.

![throughput](throughput.png)

EOF
  for s in "$out"/sections/*.md; do cat "$s"; echo; done
  for png in scaling latency search accuracy; do
    [ -f "$res/$png.png" ] && printf '![%s](%s.png)\n\n' "$png" "$png"
  done
  cat <<EOF
## Reproduce

\`\`\`sh
bench/run.sh$(quick && echo " --quick")      # installs, builds, runs every part, rewrites bench/results/
\`\`\`
Raw figures of this run: \`bench/results/data/\` (times, scores, latency samples, search samples).
EOF
} >"$res/REPORT.md"
log "report: $res/REPORT.md"
