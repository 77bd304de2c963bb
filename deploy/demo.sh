#!/usr/bin/env bash
# deploy/demo.sh — the README's first command: install what is missing, build, generate a small
# sample of scanned dossiers (our own generator, so no test corpus is needed), ingest them on the
# embedded defaults with a progress bar, then show where the outputs are and a sample search.
#
#   deploy/demo.sh [WORK_DIR]      (default: ./sohoa-demo)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$PWD/sohoa-demo}"

"$root/deploy/install.sh"
echo "== building"
build=$("$root/deploy/build.sh" "$root/build")

echo "== generating sample dossiers in $work/dossiers"
rm -rf "$work"
mkdir -p "$work/dossiers"
gen="$build/bench/sohoa_gen"
"$gen" --dossier "$work/dossiers/ho-so-0001" --docs 5 --seed 1 --font "Liberation Serif" >/dev/null
"$gen" --dossier "$work/dossiers/ho-so-0002" --docs 3 --seed 2 --font "Liberation Serif" \
  --damage mild >/dev/null

echo "== ingesting"
cd "$work"
export OMP_THREAD_LIMIT=1
set +e
"$build/sohoa" ingest dossiers/ho-so-0001 dossiers/ho-so-0002
code=$?
set -e
echo "(exit code $code: 0 ok, 1 partial, 2 failed)"

echo
echo "== outputs"
shown=0
for rec in sohoa-data/objects/docs/*/record.json; do
  [ "$shown" -lt 5 ] || break
  printf '  %s/searchable.pdf\n' "$work/$(dirname "$rec")"
  shown=$((shown + 1))
done
echo "  (and text.txt, record.json, pages/NNNN/{text.txt,hocr.html,thumb.jpg} beside each PDF)"
echo "  catalog: $work/sohoa-data/catalog.sqlite"

echo
echo "== sample search: 'quyen con nguoi' (no diacritics) — exact-tone matches rank first"
"$build/sohoa" search --limit 3 "quyen con nguoi" || true
echo
echo "== try: cd $work && $build/sohoa search 'quyền' ; $build/sohoa show <dossier id>"
exit "$code"
