#!/usr/bin/env bash
# bench/ocrmypdf_setup.sh — what in a setup makes ocrmypdf slow: the issue quoted 0.17 pages/s
# where throughput.sh measures several times more. Runs ocrmypdf (defaults, -l vie) in a few
# setups a user might pick, on two kinds of input, 2 interleaved rounds (full mode only):
#   200dpi   the 4 real scans of vn-docs (page images at 200 dpi, PNG)
#   300dpi   4 generated A4 pages at 300 dpi in colour with mild damage (JPEG), like a desk scan
# Setups: one PDF, --jobs N (the benchmark's); the same without OMP_THREAD_LIMIT in the
# environment; one ocrmypdf process per page image, N at a time; one PDF with --jobs 1.
# Writes $out/sections/25-ocrmypdf.md.
. "$(dirname "$0")/lib.sh"

om="$out/ocrmypdf-setup"
rm -rf "$om"
set_vndocs "$om/200dpi" 'real_*' 4
set_link "$om/300dpi" "$(mild_pool)" 4
per_page() { # SET OUTDIR: one ocrmypdf process per page image, $workers at a time
  mkdir -p "$2"
  set_images "$1" | xargs -P "$workers" -I{} sh -c \
    'b=$(basename "$1"); ocrmypdf --jobs 1 -l vie "$1" "$2/${b%.*}.pdf"' _ {} "$2"
}
no_omp() { env -u OMP_THREAD_LIMIT ocrmypdf --jobs "$workers" -l vie "$@"; }
tsv="$out/data/ocrmypdf-setup.tsv"
: >"$tsv"
for s in 200dpi 300dpi; do set_pdf "$om/$s" "$om/$s.pdf"; done
for r in 1 2; do
  for s in 200dpi 300dpi; do
    timed "$tsv" "$s" "one PDF, --jobs $workers" "$r" 4 run_ocrmypdf "$om/$s.pdf" "$om/o.pdf"
    timed "$tsv" "$s" "same, OMP_THREAD_LIMIT unset" "$r" 4 no_omp "$om/$s.pdf" "$om/o.pdf"
    timed "$tsv" "$s" "one process a page, $workers at a time" "$r" 4 per_page "$om/$s" "$om/pp"
    timed "$tsv" "$s" "one PDF, --jobs 1" "$r" 4 ocrmypdf --jobs 1 -l vie "$om/$s.pdf" "$om/o.pdf"
  done
done
rows=$(awk -F'\t' "$AWK_LIB"'
  { k = $2 SUBSEP $1; if (!(k in n)) { order[++m] = k } n[k]++; r[k, n[k]] = $4 / $5 }
  END { for (i = 1; i <= m; i++) { k = order[i]; split(k, p, SUBSEP)
          for (j = 1; j <= n[k]; j++) a[j] = r[k, j]
          printf "| %s | %s | %.2f | %.2f–%.2f |\n", p[2], p[1], median(a, n[k]), a[1], a[n[k]] } }' "$tsv")

# Where one page's time goes: ocrmypdf's own debug log (-k keeps it), --jobs 1, one page.
profile() { # SET → a Markdown row: seconds of each step
  local tmp="$om/tmp" t0 t1 first
  rm -rf "$tmp" && mkdir -p "$tmp"
  first=$(set_images "$om/$1" | awk 'NR == 1')
  img2pdf "$first" -o "$tmp/in.pdf"
  t0=$(date +%s.%N)
  TMPDIR="$tmp" ocrmypdf -k --jobs 1 -l vie "$tmp/in.pdf" "$tmp/out.pdf" >/dev/null 2>&1
  t1=$(date +%s.%N)
  awk -v s="$1" -v wall="$(echo "$t1 - $t0" | bc -l)" '
    { split($2, hms, /[:,]/); t = hms[1] * 3600 + hms[2] * 60 + hms[3] + hms[4] / 1000
      if (!first) first = t; last = t
      if (tess && !tend) tend = t
      if (/Rasterize with/) gs = t; if (/Rotating output/) gse = t
      if (/Running: \[.tesseract., .-l/) tess = t; if (/Postprocessing/) post = t }
    END { printf "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", s, wall, gse - gs, tess - gse,
          tend - tess, last - post, wall - (gse - gs) - (tess - gse) - (tend - tess) - (last - post) }' \
    "$tmp"/ocrmypdf.io.*/debug.log
  rm -rf "$tmp"
}
prof_rows=$(profile 200dpi; profile 300dpi)

cat >"$out/sections/25-ocrmypdf.md" <<EOF
## Why the issue saw ocrmypdf at 0.17 pages/s

ocrmypdf 14 (Debian) with its defaults plus \`-l vie\`, 4 pages each, 2 interleaved rounds:

| input | setup | pages/s (median) | range |
|---|---|---|---|
$rows

Where one page's time goes in ocrmypdf (\`--jobs 1\`, seconds, from its own debug log kept with
\`-k\`): Ghostscript rasterises the page; ocrmypdf then decodes and re-encodes that raster as PNG
(for orientation, then as the image given to Tesseract); Tesseract recognises it; postprocessing
grafts the text layer and writes the output (PDF/A through Ghostscript by default); the rest is
Python's start-up and bookkeeping.

| input | wall | rasterise | PNG re-encodes | Tesseract | postprocess | start-up, rest |
|---|---|---|---|---|---|---|
$prof_rows

So ocrmypdf's pages/s depends mostly on the pixel count of the input: a colour A4 page at
300 dpi is 8.7 megapixels, and every step but recognition grows with it. ocrmypdf sets
\`OMP_THREAD_LIMIT\` itself when it is unset (a missing limit changes nothing), and one process
a page costs little more than one PDF. The issue's 0.17 pages/s matches colour 300 dpi scans; the
throughput table above mixes 200 dpi pages (where ocrmypdf is several times faster) with 300 dpi
ones.
EOF
log "ocrmypdf setup: done"
