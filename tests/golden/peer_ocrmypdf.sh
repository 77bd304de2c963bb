#!/usr/bin/env bash
# Golden test: OCRmyPDF's test resources meet the bar OCRmyPDF's own tests set (table:
# peer_ocrmypdf.tsv) — the right document status, page statuses in order, expected words — and
# every output PDF is valid with the input's page count (less refused pages) and the input's page
# size for non-square resolutions (aspect.pdf).
# usage: peer_ocrmypdf.sh SOHOA CORPUS_DIR WORK_DIR
set -euo pipefail
sohoa="$1"; corpus="$2"; work="$3"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }

files=()
while IFS=$'\t' read -r file _; do
  case "$file" in ''|'#'*) continue ;; esac
  files+=("$corpus/peer-ocrmypdf/$file")
done < "$here/peer_ocrmypdf.tsv"
set +e
"$sohoa" ingest --quiet --data-dir data "${files[@]}" > ingest.out 2> ingest.err
code=$?
set -e
cat ingest.out
check "exit code 1 (partial: some inputs are refused), got $code" '[ "$code" = 1 ]'

while IFS=$'\t' read -r file status text pages; do
  case "$file" in ''|'#'*) continue ;; esac
  [ "$text" = - ] && text=""
  [ "$pages" = - ] && pages=""
  id=$(sha256sum "$corpus/peer-ocrmypdf/$file" | cut -d' ' -f1)
  rec="data/objects/docs/$id/record.json"
  got=$(jq -r .document.status "$rec" 2>/dev/null || echo missing)
  check "$file: status $status (got $got)" '[ "$got" = "$status" ]'
  got_pages=$(jq -r '[.document.pages[]?.status] | join(" ")' "$rec" 2>/dev/null || echo)
  check "$file: pages '$pages' (got '$got_pages')" '[ "$got_pages" = "$pages" ]'
  if [ -n "$text" ]; then
    check "$file: text contains '$text'" 'grep -qiF -- "$text" <<< "$(jq -r ".document.pages[]?.text" "$rec")"'
  fi
  pdf="data/objects/docs/$id/searchable.pdf"
  if [ "$status" != failed ]; then
    check "$file: searchable PDF valid (qpdf --check)" 'qpdf --check "$pdf" > /dev/null 2>&1'
  fi
done < "$here/peer_ocrmypdf.tsv"

# aspect.pdf has a non-square resolution: the output page keeps the input's page size (±1 pt)
id=$(sha256sum "$corpus/peer-ocrmypdf/aspect.pdf" | cut -d' ' -f1)
size_in=$(pdfinfo "$corpus/peer-ocrmypdf/aspect.pdf" | awk '/^Page size:/ { print $3, $5 }')
size_out=$(pdfinfo "data/objects/docs/$id/searchable.pdf" | awk '/^Page size:/ { print $3, $5 }')
check "aspect.pdf: page size kept ($size_in → $size_out)" \
  "awk -v a='$size_in' -v b='$size_out' 'BEGIN { split(a, x, \" \"); split(b, y, \" \"); d1 = x[1] - y[1]; d2 = x[2] - y[2]; exit !(d1 * d1 <= 1 && d2 * d2 <= 1) }'"
exit $fail
