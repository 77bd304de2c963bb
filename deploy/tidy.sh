#!/usr/bin/env bash
# deploy/tidy.sh [--build DIR] [PATH...] — clang-tidy 14 with the repository's .clang-tidy
# (bugprone-*, clang-analyzer-*, cert-err33-c; warnings are errors) over every C file of the compile
# database, two files at a time. The database comes from configuring (not building: nothing is
# generated) a Debug tree, so assert() conditions reach the analyzer, in DIR (default build-tidy).
#   PATH...   only the translation units whose path starts so (e.g. pipeline/ storage/objstore);
#             headers are checked through the files that include them
# Prints each finding once as "file:line: check: message" (also written to DIR/tidy-findings.txt),
# then the count per file and "tidy: N files, N findings"; exits 1 when there is any finding or
# clang-tidy failed on a file.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-tidy"
if [ "${1:-}" = "--build" ]; then
  build="${2:?usage: $0 [--build DIR] [PATH...]}"
  shift 2
fi
jobs="${SOHOA_TIDY_JOBS:-2}"

# shellcheck source=deploy/llvm14.sh
. "$root/deploy/llvm14.sh"
tidy=$(llvm14 clang-tidy tidy) || exit 1
command -v jq >/dev/null || { echo "tidy: jq is needed (deploy/install.sh --tests)" >&2; exit 1; }

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DSOHOA_CORPUS_DIR="${SOHOA_CORPUS_DIR:-$root/../shared/corpus}" >/dev/null
db="$build/compile_commands.json"
[ -s "$db" ] || { echo "tidy: no compile database at $db" >&2; exit 1; }

files=()
while IFS= read -r f; do
  rel="${f#"$root"/}"
  [ "$rel" != "$f" ] || continue # outside the repository
  case "$rel" in build*/*) continue ;; esac
  if [ "$#" -gt 0 ]; then
    hit=0
    for p in "$@"; do
      p="${p#./}"
      case "$rel" in "$p"*) hit=1 ;; esac
    done
    [ "$hit" = 1 ] || continue
  fi
  files+=("$f")
done < <(jq -r '.[].file' "$db" | sort -u)
[ "${#files[@]}" -gt 0 ] || { echo "tidy: no files to check" >&2; exit 1; }

out="$build/tidy-out"
rm -rf "$out" && mkdir -p "$out"
# One output file per translation unit (no interleaving); the exit status goes at its end.
export tidy build out
# shellcheck disable=SC2016 # the script is for the inner bash, which expands it
printf '%s\0' "${files[@]}" | xargs -0 -n1 -P"$jobs" bash -c '
  f="$1"; log="$out/$(printf "%s" "$f" | tr "/" "_").log"
  "$tidy" -p "$build" --quiet --use-color=false "$f" > "$log" 2>&1; echo "exit $?" >> "$log"' _

findings="$build/tidy-findings.txt"
# "PATH:LINE:COL: error: MESSAGE [CHECK,-warnings-as-errors]" -> "rel/path:LINE: CHECK: MESSAGE",
# once per place (a header's finding comes once per file including it).
cat "$out"/*.log | sed -nE 's#^'"$root"'/([^:]+):([0-9]+):[0-9]+: (warning|error): (.*) \[([^],]+)(,-warnings-as-errors)?\]$#\1:\2: \5: \4#p' |
  sort -t: -k1,1 -k2,2n -u > "$findings"
failed=0
for log in "$out"/*.log; do
  rc="$(tail -n1 "$log" | sed -n 's/^exit //p')"
  # clang-tidy exits 1 when it reported errors (the findings above); anything else is a failure
  # to run (a crash, a missing compile database entry)
  if [ "$rc" != 0 ] && ! grep -qE ': (warning|error): ' "$log"; then
    failed=$((failed + 1))
    echo "tidy: clang-tidy failed (exit $rc) on $(basename "$log" .log):"
    tail -n 5 "$log" | sed 's/^/  /'
  fi
done
cat "$findings"
n="$(wc -l < "$findings")"
if [ "$n" -gt 0 ]; then
  echo "-- findings per file:"
  cut -d: -f1 "$findings" | sort | uniq -c | sort -rn
fi
echo "tidy: ${#files[@]} files, $n findings, $failed files failed to run (list: $findings)"
[ "$n" -eq 0 ] && [ "$failed" -eq 0 ]
