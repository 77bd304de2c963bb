# bench/lib.sh — sourced by every bench script: where things are, the page sets, how sohoa and
# its anchors are run on them, timing of one run, statistics and Markdown helpers.
#
# Environment (run.sh sets it; each script also runs alone with these defaults):
#   BENCH_MODE quick|full (full)   BENCH_OUT this run's folder (bench/work/run)
#   BENCH_WORKERS (nproc)          SOHOA_BENCH_BUILD build folder (build)   SOHOA_CORPUS_DIR
# Kept between runs in bench/work/cache: generated pages and the search index.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="${SOHOA_CORPUS_DIR:-$root/../shared/corpus}"
build="${SOHOA_BENCH_BUILD:-$root/build}"
out="${BENCH_OUT:-$root/bench/work/run}"
cache="$root/bench/work/cache"
mode="${BENCH_MODE:-full}"
cores=$(env -u OMP_THREAD_LIMIT -u OMP_NUM_THREADS nproc) # nproc obeys OMP_THREAD_LIMIT
workers="${BENCH_WORKERS:-$cores}"
sohoa="$build/sohoa"
tools="$build/bench"
export OMP_THREAD_LIMIT=1 # sohoa would set it itself; the anchors must get the same
mkdir -p "$out/logs" "$out/data" "$out/sections" "$cache"
export BENCH_MODE="$mode" BENCH_OUT="$out" BENCH_WORKERS="$workers" SOHOA_BENCH_BUILD="$build"

log() { echo "bench: $*" >&2; }
quick() { [ "$mode" = quick ]; }
pick() { if quick; then echo "$1"; else echo "$2"; fi; } # pick QUICK_VALUE FULL_VALUE
summary() { printf '%s\t%s\n' "$1" "$2" >>"$out/data/summary.tsv"; } # key value, for report.sh

# ---- statistics (portable awk: Debian's default awk is mawk) ------------------------------------
# Functions prepended to awk programs: sort a[1..n]; median; nearest-rank percentile.
AWK_LIB='
function asort_n(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i];
  for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } }
function median(a, n) { asort_n(a, n); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function pctl(a, n, p,   k) { asort_n(a, n); k = int(p * n + 0.999999); if (k < 1) k = 1; return a[k] }
'

# ---- timing --------------------------------------------------------------------------------------
# timed FILE TEST NAME ROUND PAGES CMD... — runs CMD (a program or a shell function) with its
# output to $out/logs, and appends
# "test name round pages wall_s cpu_s peak_rss_kb" to FILE. cpu_s is user+sys of CMD and every
# process it waited for; peak RSS is the largest single process's. A failing CMD stops the bench.
timed() {
  local file="$1" test="$2" name="$3" round="$4" pages="$5" t0 t1 u s m
  shift 5
  local lg="$out/logs/$test-$name-$round.log"
  if [ "$(type -t "$1")" = function ]; then # a child bash gets the function and this library
    export -f "${1?}"
    set -- bash -c '. "$0" && "$@"' "${BASH_SOURCE[0]}" "$@"
  fi
  t0=$(date +%s.%N)
  if ! /usr/bin/time -f "%U %S %M" -o "$lg.rusage" "$@" >"$lg" 2>&1; then
    log "$test/$name round $round failed: $*"
    tail -5 "$lg" >&2
    return 1
  fi
  t1=$(date +%s.%N)
  read -r u s m <"$lg.rusage"
  printf '%s\t%s\t%s\t%s\t%.3f\t%.2f\t%s\n' "$test" "$name" "$round" "$pages" \
    "$(echo "$t1 - $t0" | bc -l)" "$(echo "$u + $s" | bc -l)" "$m" >>"$file"
}

# rate_table FILE TEST — Markdown rows per name: pages/s median (min–max), rounds, CPU use (share
# of all cores, median), peak RSS; also "name<TAB>median" lines into $out/data/TEST.rates.
rate_table() {
  awk -F'\t' -v t="$2" -v cores="$cores" -v rates="$out/data/$2.rates" "$AWK_LIB"'
    $1 == t { k = $2; if (!(k in n)) order[++names] = k; n[k]++; r[k, n[k]] = $4 / $5
              u[k, n[k]] = $6 / $5 / cores; if ($7 > rss[k]) rss[k] = $7 }
    END { for (i = 1; i <= names; i++) { k = order[i]; m = n[k]
            for (j = 1; j <= m; j++) { a[j] = r[k, j]; b[j] = u[k, j] }
            med = median(a, m); lo = a[1]; hi = a[m]
            printf "| %s | **%.2f** | %.2f–%.2f | %d | %.0f %% | %.0f MB |\n", k, med, lo, hi, m,
                   100 * median(b, m), rss[k] / 1024
            printf "%s\t%.4f\t%.4f\t%.4f\n", k, med, lo, hi > rates } }' "$1"
}

# ratio FILE TEST A B — "median (min–max)" of A's pages/s over B's, paired round by round.
ratio() {
  awk -F'\t' -v t="$2" -v x="$3" -v y="$4" "$AWK_LIB"'
    $1 == t && $2 == x { ra[$3] = $4 / $5 } $1 == t && $2 == y { rb[$3] = $4 / $5 }
    END { for (k in ra) if (k in rb) q[++n] = ra[k] / rb[k]
          if (n) { m = median(q, n); printf "%.2f× (%.2f–%.2f)", m, q[1], q[n] } else printf "n/a" }' "$1"
}

# pctls FILE COL [FILTER_COL FILTER_VALUE] — "n p50 p95 max" of a numeric column (comment lines
# starting with # are skipped).
pctls() {
  awk -F'\t' -v c="$2" -v fc="${3:-0}" -v fv="${4:-}" "$AWK_LIB"'
    /^#/ { next } fc == 0 || $fc == fv { v[++n] = $c }
    END { if (!n) { print "0 0 0 0"; exit } m = pctl(v, n, 0.5); p = pctl(v, n, 0.95)
          printf "%d %.1f %.1f %.1f\n", n, m, p, v[n] }' "$1"
}

# (Lists are cut with awk, never head: under pipefail, a writer killed by SIGPIPE fails the set.)
# ---- page sets: a folder of page images, their ground truth in FOLDER/.gt/NAME.gt.txt ----------
# (a dot folder: sohoa's intake skips it, so a set is also a dossier folder)

# page1_pngs — reads "PDF<TAB>PNG" lines: the image of page 1 of each PDF (scanned PDFs: one
# image a page), pixel for pixel, saved as PNG with its resolution in the PDF recorded. (Rendering
# the page instead, with pdftoppm, resamples it by a pixel and costs OCR up to 4 points of CER.)
# Python's PIL comes with ocrmypdf.
page1_pngs() {
  local pdf png ppi
  while IFS=$'\t' read -r pdf png; do
    ppi=$(pdfimages -f 1 -l 1 -list "$pdf" | awk 'NR == 3 { print $13 }')
    pdfimages -f 1 -l 1 "$pdf" "$png.raw"
    printf '%s\t%s\t%s\n' "$(ls "$png".raw-000.*)" "$png" "$ppi"
  done | /usr/bin/python3 -c '
import os, sys
from PIL import Image
for line in sys.stdin:
    src, dst, ppi = line.rstrip("\n").split("\t")
    Image.open(src).save(dst, dpi=(float(ppi), float(ppi)))
    os.remove(src)
'
}

# set_vndocs DEST GLOB N — page 1 of the first N vn-docs PDFs matching GLOB, and ground truth.
set_vndocs() {
  local dest="$1" glob="$2" n="$3" f id i=0
  mkdir -p "$dest/.gt"
  for f in "$corpus"/vn-docs/docs/$glob.pdf; do
    [ "$i" -lt "$n" ] || break
    id=$(basename "$f" .pdf)
    cp "$corpus/vn-docs/gt/$id.gt.txt" "$dest/.gt/$id.gt.txt"
    printf '%s\t%s\n' "$f" "$dest/$id.png"
    i=$((i + 1))
  done | page1_pngs
}

# set_clean DEST N — page 1 of the first N vn-docs-clean PDFs, ground truth from metadata.jsonl.
set_clean() {
  local dest="$1" n="$2" id
  mkdir -p "$dest/.gt"
  jq -r '.doc_id' "$corpus/vn-docs-clean/metadata.jsonl" | sort | awk -v n="$n" 'NR <= n' | while read -r id; do
    jq -r --arg id "$id" 'select(.doc_id == $id) | .pages[0].text' \
      "$corpus/vn-docs-clean/metadata.jsonl" >"$dest/.gt/$id.gt.txt"
    printf '%s\t%s\n' "$corpus/vn-docs-clean/docs/$id.pdf" "$dest/$id.png"
  done | page1_pngs
}

# set_lines DEST KIND N — the first N vn-lines line images of KIND (clean, noisy, hard).
set_lines() {
  local dest="$1" kind="$2" n="$3" gt="ground_truth.jsonl"
  [ "$kind" = hard ] && gt="ground_truth_hard.jsonl"
  mkdir -p "$dest/.gt"
  jq -r '.id + "\t" + .text' "$corpus/vn-lines/$gt" | awk -v n="$n" 'NR <= n' | while IFS=$'\t' read -r id text; do
    cp "$corpus/vn-lines/$kind/$id.png" "$dest/line-$id.png"
    printf '%s\n' "$text" >"$dest/.gt/line-$id.gt.txt"
  done
}

# gen_cached NAME PAGES SEED [sohoa_gen options] — generated pages, kept in the cache (same
# arguments: reused); prints the folder.
gen_cached() {
  local name="$1" pages="$2" seed="$3" dir
  shift 3
  dir="$cache/gen/$name"
  local want="$pages $seed $*"
  if [ "$(cat "$dir/.args" 2>/dev/null)" != "$want" ]; then
    log "generating $pages pages ($name: $*)"
    rm -rf "$dir"
    "$tools/sohoa_gen" --out "$dir" --pages "$pages" --seed "$seed" --name "$name" "$@" >/dev/null
    mkdir -p "$dir/.gt"
    mv "$dir"/*.gt.txt "$dir/.gt/"
    echo "$want" >"$dir/.args"
  fi
  echo "$dir"
}

# mild_pool — the generated pages most parts share: A4 at 300 dpi in colour with mild scan damage
# (JPEG), like desk scans; 80 pages (quick) or 500 (full). Prints the folder.
mild_pool() { gen_cached "mild-$(pick 80 500)" "$(pick 80 500)" 1 --damage mild --format jpeg; }

# set_link DEST SRC N [FIRST] — hard links to N pages of a cached set (from page FIRST, 1-based)
# with their ground truth: a set costs no copy.
set_link() {
  local dest="$1" src="$2" n="$3" first="${4:-1}" f b
  mkdir -p "$dest/.gt"
  set_images "$src" | awk -v a="$first" -v n="$n" 'NR >= a && NR < a + n' |
    while read -r f; do
      b=$(basename "$f")
      ln -f "$f" "$dest/$b"
      ln -f "$src/.gt/${b%.*}.gt.txt" "$dest/.gt/${b%.*}.gt.txt"
    done
}

set_images() { find "$1" -maxdepth 1 -type f ! -name '.*' | sort; } # the pages of a set, in order
set_count() { set_images "$1" | wc -l; }
set_bytes() { set_images "$1" | xargs cat | wc -c; }

# ---- running the tools on a set -----------------------------------------------------------------
# sohoa: the whole set as one dossier, embedded defaults, $workers threads.
run_sohoa() { "$sohoa" ingest --quiet --workers "$workers" --data-dir "$2" "$1"; }

# tesseract CLI: one process per page, $workers at a time; FORMATS e.g. "txt pdf".
run_tesseract() { # SET OUTDIR FORMATS
  mkdir -p "$2"
  set_images "$1" | xargs -P "$workers" -I{} sh -c \
    'b=$(basename "$1"); tesseract "$1" "$2/${b%.*}" -l vie $3 2>/dev/null' _ {} "$2" "$3"
}

# ocrmypdf: one PDF of the set (img2pdf, lossless), --jobs $workers, -l vie, its defaults.
set_pdf() { set_images "$1" | xargs img2pdf -o "$2"; }
run_ocrmypdf() { ocrmypdf --jobs "$workers" -l vie "$@"; } # [options] IN OUT

# Texts per page into HYPDIR/NAME.txt, for scoring.
sohoa_texts() { # SET DATA_DIR HYPDIR
  local f b sha
  mkdir -p "$3"
  set_images "$1" | while read -r f; do
    b=$(basename "$f")
    sha=$(sha256sum "$f" | cut -d' ' -f1)
    cp "$2/objects/docs/$sha/text.txt" "$3/${b%.*}.txt" 2>/dev/null || : >"$3/${b%.*}.txt"
  done
}
sidecar_texts() { # SET SIDECAR HYPDIR — ocrmypdf's sidecar: pages separated by form feeds
  mkdir -p "$3"
  set_images "$1" | sed 's|.*/||; s|\.[^.]*$||' >"$3/.names"
  awk -v d="$3" 'NR == FNR { name[NR] = $0; next }
    FNR in name { printf "%s", $0 > (d "/" name[FNR] ".txt") }' "$3/.names" RS='\f' "$2"
}

# score_set SET HYPDIR — pooled JSON of sohoa_score over the set's pages.
score_set() {
  local f b list="$2/.pairs"
  set_images "$1" | while read -r f; do
    b=$(basename "$f")
    printf '%s\t%s\n' "$1/.gt/${b%.*}.gt.txt" "$2/${b%.*}.txt"
  done >"$list"
  "$tools/sohoa_score" --json --pairs "$list" | jq -c '.pooled'
}

