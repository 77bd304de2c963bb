#!/usr/bin/env bash
# bench/run.sh — the benchmark suite in one command: installs what is missing, builds sohoa
# (RelWithDebInfo, like deploy/build.sh), measures sohoa next to the tesseract CLI and ocrmypdf, and
# writes bench/results/REPORT.md with its plots.
#
#   bench/run.sh [--quick] [--workers N] [--only "throughput accuracy ..."] [--rerun]
#
#   --quick    under 10 minutes on a 2-core machine (fewer pages and queries); default: full
#   --workers  parallelism of every tool (default: the number of cores)
#   --only     run only these parts (the report then holds only them)
#   --rerun    measure the --only parts again into the last run of this mode, keeping the other
#              parts' figures (for a part disturbed by other load); the report says when each
#              part was measured
# Parts, one script each (each also runs alone, see bench/lib.sh): throughput.sh (with where the
# time goes and output size), ocrmypdf_setup.sh (full mode), accuracy.sh, scaling.sh, latency.sh,
# search.sh; then plot.sh and report.sh. Environment: SOHOA_BENCH_BUILD (build folder, default
# build/), SOHOA_CORPUS_DIR. Scratch data goes to bench/work/ (git-ignored; generated pages and the
# search index are cached there between runs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode=full
only=""
workers=""
rerun=false
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick; shift ;;
    --workers) workers="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --rerun) rerun=true; shift ;;
    *) echo "usage: $0 [--quick] [--workers N] [--only \"part ...\"] [--rerun]" >&2; exit 64 ;;
  esac
done
if [ -z "$only" ]; then
  only="throughput accuracy scaling latency search distributed"
  [ "$mode" = full ] && only="throughput ocrmypdf_setup accuracy scaling latency search distributed"
fi

"$root/deploy/install.sh" --bench
SOHOA_BENCH_BUILD=$("$root/deploy/build.sh" "${SOHOA_BENCH_BUILD:-$root/build}")
# what was built: the commit, and how many library files differed from it
built="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty=$(git -C "$root" status --porcelain -- pipeline storage workers 2>/dev/null | wc -l)
[ "$dirty" -gt 0 ] && built="$built + $dirty uncommitted library files"
BENCH_OUT="$root/bench/work/run-$mode"
if $rerun; then
  [ -f "$BENCH_OUT/data/run.tsv" ] || { echo "run.sh: no earlier $mode run to rerun into" >&2; exit 64; }
else
  rm -rf "$BENCH_OUT"
  mkdir -p "$BENCH_OUT/data"
  echo "parts	$only" >"$BENCH_OUT/data/run.tsv"
fi
export SOHOA_BENCH_BUILD BENCH_OUT BENCH_MODE="$mode"
[ -n "$workers" ] && export BENCH_WORKERS="$workers"

t0=$(date +%s)
for part in $only; do
  [ -x "$root/bench/$part.sh" ] || { echo "run.sh: no part named $part" >&2; exit 64; }
  p0=$(date +%s)
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  "$root/bench/$part.sh"
  printf 'part\t%s\t%s\t%s\t%s\t%s\t%s\n' "$part" "$(date -u -d "@$p0" '+%Y-%m-%d %H:%M')" \
    "$(($(date +%s) - p0))" "$load" "$(cut -d' ' -f1-3 /proc/loadavg)" "$built" \
    >>"$BENCH_OUT/data/run.tsv"
done
$rerun || echo "seconds	$(($(date +%s) - t0))" >>"$BENCH_OUT/data/run.tsv"
"$root/bench/plot.sh"
"$root/bench/report.sh"
