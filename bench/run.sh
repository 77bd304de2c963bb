#!/usr/bin/env bash
# bench/run.sh — the benchmark suite in one command: installs what is missing, builds sohoa
# (RelWithDebInfo, like deploy/build.sh), measures sohoa next to the tesseract CLI and ocrmypdf, and
# writes bench/results/REPORT.md with its plots.
#
#   bench/run.sh [--quick] [--workers N] [--only "throughput accuracy ..."]
#
#   --quick    under 10 minutes on a 2-core machine (fewer pages and queries); default: full
#   --workers  parallelism of every tool (default: the number of cores)
#   --only     run only these parts (the report then holds only them)
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
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick; shift ;;
    --workers) workers="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    *) echo "usage: $0 [--quick] [--workers N] [--only \"part ...\"]" >&2; exit 64 ;;
  esac
done
if [ -z "$only" ]; then
  only="throughput accuracy scaling latency search"
  [ "$mode" = full ] && only="throughput ocrmypdf_setup accuracy scaling latency search"
fi

"$root/deploy/install.sh" --bench
SOHOA_BENCH_BUILD=$("$root/deploy/build.sh" "${SOHOA_BENCH_BUILD:-$root/build}")
BENCH_OUT="$root/bench/work/run-$mode"
rm -rf "$BENCH_OUT"
export SOHOA_BENCH_BUILD BENCH_OUT BENCH_MODE="$mode"
[ -n "$workers" ] && export BENCH_WORKERS="$workers"
mkdir -p "$BENCH_OUT/data"

t0=$(date +%s)
echo "load_before	$(cut -d' ' -f1-3 /proc/loadavg)" >"$BENCH_OUT/data/run.tsv"
for part in $only; do
  [ -x "$root/bench/$part.sh" ] || { echo "run.sh: no part named $part" >&2; exit 64; }
  p0=$(date +%s)
  "$root/bench/$part.sh"
  echo "part_$part	$(($(date +%s) - p0))" >>"$BENCH_OUT/data/run.tsv"
done
{
  echo "load_after	$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "seconds	$(($(date +%s) - t0))"
  echo "parts	$only"
} >>"$BENCH_OUT/data/run.tsv"
"$root/bench/plot.sh"
"$root/bench/report.sh"
