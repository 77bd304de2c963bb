#!/usr/bin/env bash
# bench/plot.sh — the report's PNG plots from this run's data ($out/data), with gnuplot:
#   throughput.png  pages/s of sohoa and the anchors (median, min–max)
#   scaling.png     pages/s by worker threads; wall time a page by dossier size
#   latency.png     interactive time to result under bulk load (distribution)
#   search.png      search latency by query kind (distribution)
#   accuracy.png    CER by subset for the three tools
# Each plot is drawn only when its data exists. Writes $out/plots/.
. "$(dirname "$0")/lib.sh"

d="$out/data"
p="$out/plots"
mkdir -p "$p"
term="set terminal pngcairo size 720,400 font 'DejaVu Sans,9' noenhanced"
# cdf FILE COL [FILTER_COL VALUE] SCALE: "value fraction" lines, sorted (for distribution plots)
cdf() {
  awk -F'\t' -v c="$2" -v fc="${3:-0}" -v fv="${4:-}" '!/^#/ && (fc == 0 || $fc == fv) { print $c / '"${5:-1}"' }' "$1" |
    sort -g | awk '{ v[NR] = $1 } END { for (i = 1; i <= NR; i++) print v[i], i / NR }'
}

if [ -s "$d/throughput.rates" ]; then
  gnuplot <<EOF
$term; set output '$p/throughput.png'
set title 'Pages per second, same pages, $workers-way parallel (median, bars: min–max of rounds)'
set style fill solid 0.6 border -1; set boxwidth 0.6; set yrange [0:*]; set grid y
set ylabel 'pages/s'; unset key
plot '$d/throughput.rates' using 0:2:xtic(1) with boxes lc rgb '#4477aa', \
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0, \
     '' using 0:2:(sprintf('%.2f', \$2)) with labels offset 0,1
EOF
fi

if [ -s "$d/threads.rates" ] && [ -s "$d/dossier.tsv" ]; then
  awk -F'\t' "$AWK_LIB"'{ k = $2; if (!(k in n)) o[++m] = k; n[k]++; v[k, n[k]] = $5 / $4 }
    END { for (i = 1; i <= m; i++) { k = o[i]; for (j = 1; j <= n[k]; j++) a[j] = v[k, j]
          printf "%s %.4f %.4f %.4f\n", k, median(a, n[k]), a[1], a[n[k]] } }' "$d/dossier.tsv" >"$d/dossier.med"
  one=$(awk '$1 == 1 { print $2 }' "$d/threads.rates")
  gnuplot <<EOF
$term; set output '$p/scaling.png'
set multiplot layout 1,2
set title 'Throughput by worker threads ($cores cores)'; set xlabel 'workers'; set ylabel 'pages/s'
set yrange [0:*]; set xrange [0.5:*]; set xtics 1; set grid; set key top left
plot '$d/threads.rates' using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'sohoa (median, min–max)', \
     x <= $cores ? x * $one : 1/0 with lines dt 2 lc rgb 'grey' title 'linear from 1 worker'
set title 'Wall time a page by dossier size ($workers workers)'; set xlabel 'pages in the dossier'
set ylabel 's / page'; set logscale x; set xrange [0.7:*]; set xtics auto; set key top right
plot '$d/dossier.med' using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'median, min–max'
unset multiplot
EOF
fi

if [ -s "$d/latency.tsv" ]; then
  cdf "$d/latency.tsv" 1 0 "" 1000 >"$d/latency.cdf"
  gnuplot <<EOF
$term; set output '$p/latency.png'
set title 'Interactive one-page job under full bulk load: time to result'
set xlabel 'seconds'; set ylabel 'share of jobs done'; set yrange [0:1.02]; set xrange [0:*]
set grid; set key top left
set arrow from 3, 0 to 3, 1.02 nohead dt 2 lc rgb 'red'
set label 'target p95 ≤ 3 s' at 3, 0.5 offset 0.5,0 tc rgb 'red'
plot '$d/latency.cdf' using 1:2 with steps lw 2 title 'cumulative distribution', \
     0.95 with lines dt 3 lc rgb 'grey' title 'p95'
EOF
fi

if [ -s "$d/search.tsv" ]; then
  for k in exact folded phrase; do cdf "$d/search.tsv" 2 1 "$k" >"$d/search-$k.cdf"; done
  gnuplot <<EOF
$term; set output '$p/search.png'
set title 'Search latency over the synthetic 100 000-page index, by query kind'
set xlabel 'ms'; set ylabel 'share of queries'; set yrange [0:1.02]; set logscale x; set grid
set key top left
set arrow from 100, 0 to 100, 1.02 nohead dt 2 lc rgb 'red'
set label 'target p95 ≤ 100 ms' at 100, 0.5 offset 0.5,0 tc rgb 'red'
plot '$d/search-exact.cdf' using 1:2 with steps lw 2 title 'exact tones', \
     '$d/search-folded.cdf' using 1:2 with steps lw 2 title 'folded', \
     '$d/search-phrase.cdf' using 1:2 with steps lw 2 title 'phrase', \
     0.95 with lines dt 3 lc rgb 'grey' title 'p95'
EOF
fi

if [ -s "$d/accuracy.tsv" ]; then
  awk -F'\t' '{ k = $1; if (!(k in s)) o[++m] = k; s[k] = 1; c[k, $2] = 100 * $5 / $4 }
    END { for (i = 1; i <= m; i++) printf "%s %.3f %.3f %.3f\n", o[i], c[o[i], "sohoa"],
          c[o[i], "tesseract"], c[o[i], "ocrmypdf"] }' "$d/accuracy.tsv" >"$d/accuracy.cer"
  gnuplot <<EOF
$term; set output '$p/accuracy.png'
set title 'CER by subset (lower is better)'; set ylabel 'CER %'; set grid y
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.7 border -1
set xtics rotate by -40 scale 0; set yrange [0:*]; set key top left
plot '$d/accuracy.cer' using 2:xtic(1) title 'sohoa' lc rgb '#4477aa', \
     '' using 3 title 'tesseract CLI' lc rgb '#ee6677', '' using 4 title 'ocrmypdf' lc rgb '#ccbb44'
EOF
fi
ls -la "$p" >&2
