#!/usr/bin/env bash
# Golden test, end to end through `sohoa ingest`: OCR accuracy on the shared corpus (CER per
# docs/CORPUS.md: NFC, one tone placement, white space collapsed), and the searchable PDFs.
#   - vn-docs-clean (12 clean synthetic PDFs): pooled CER must be <= 1 %;
#   - vn-docs real government scans (4 image-only PDFs): pooled CER printed, bounded at 11 %
#     (plain `tesseract -l vie` scores about 13.6 % on them);
#   - each searchable PDF: valid (qpdf --check), one page per input page, its text layer gives the
#     OCR text back (pdftotext), at most 1.5x the input's size.
# usage: ocr_accuracy.sh SOHOA CORPUS_DIR WORK_DIR
set -euo pipefail
sohoa="$1"; corpus="$2"; work="$3"
score="$(dirname "$sohoa")/bench/sohoa_score"
rm -rf "$work"; mkdir -p "$work/clean" "$work/real" "$work/gt"
cd "$work"
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }

cp "$corpus"/vn-docs-clean/docs/*.pdf clean/
cp "$corpus"/vn-docs/docs/real_*.pdf real/
echo '{"department":"Văn phòng","received_date":"2026-11-20","source":"archive"}' > clean/dossier.json
echo '{"department":"Sở Tư pháp","received_date":"2026-11-29","source":"desk"}' > real/dossier.json

set +e
"$sohoa" ingest --quiet --data-dir data clean real > ingest.out 2> ingest.err
code=$?
set -e
cat ingest.out
check "ingest exit code 0 (got $code)" '[ "$code" = 0 ]' || tail -n 30 ingest.err

# name → document id, from the dossier records
doc_id() { jq -r --arg n "$2" '.documents[] | select(.name == $n) | .id' "data/objects/dossiers/$1/dossier.json"; }

pairs_clean=pairs-clean.tsv; pairs_real=pairs-real.tsv; : > "$pairs_clean"; : > "$pairs_real"
while read -r line; do
  id=$(jq -r .doc_id <<< "$line")
  jq -r '.pages[0].text' <<< "$line" > "gt/$id.txt"
  did=$(doc_id clean "$id.pdf")
  printf '%s\t%s\n' "gt/$id.txt" "data/objects/docs/$did/text.txt" >> "$pairs_clean"
done < "$corpus/vn-docs-clean/metadata.jsonl"
for f in real/*.pdf; do
  name=$(basename "$f" .pdf)
  did=$(doc_id real "$name.pdf")
  printf '%s\t%s\n' "$corpus/vn-docs/gt/$name.gt.txt" "data/objects/docs/$did/text.txt" >> "$pairs_real"
done

"$score" --pairs "$pairs_clean" | tee score-clean.txt
"$score" --pairs "$pairs_real" | tee score-real.txt
pooled_cer() { awk '$1 == "pooled" { for (i = 2; i <= NF; i++) if ($i ~ /^cer=/) print substr($i, 5) }'; }
cer_of() { "$score" "$1" "$2" | pooled_cer; }
cer_clean=$(pooled_cer < score-clean.txt)
cer_real=$(pooled_cer < score-real.txt)
echo "pooled CER: vn-docs-clean $cer_clean, vn-docs real pages $cer_real"
check "vn-docs-clean pooled CER $cer_clean <= 0.01" "awk -v c='$cer_clean' 'BEGIN { exit !(c != \"\" && c <= 0.01) }'"
check "vn-docs real pooled CER $cer_real <= 0.11" "awk -v c='$cer_real' 'BEGIN { exit !(c != \"\" && c <= 0.11) }'"

# the searchable PDFs
for f in clean/*.pdf real/*.pdf; do
  d=$(dirname "$f"); name=$(basename "$f")
  did=$(doc_id "$d" "$name")
  pdf="data/objects/docs/$did/searchable.pdf"
  check "$name: qpdf --check" 'qpdf --check "$pdf" > /dev/null 2>&1'
  in_pages=$(pdfinfo "$f" | awk '/^Pages:/ { print $2 }')
  out_pages=$(pdfinfo "$pdf" | awk '/^Pages:/ { print $2 }')
  check "$name: $out_pages page(s) out for $in_pages in" '[ "$in_pages" = "$out_pages" ]'
  in_size=$(stat -c %s "$f"); out_size=$(stat -c %s "$pdf")
  check "$name: output $out_size bytes <= 1.5 x input $in_size" '[ $((out_size * 2)) -le $((in_size * 3)) ]'
  # content-stream order is our reading order; poppler's own layout analysis may reorder columns
  pdftotext -raw -enc UTF-8 "$pdf" "$pdf.raw.txt"
  pdftotext -enc UTF-8 "$pdf" "$pdf.txt"
  layer=$(cer_of "data/objects/docs/$did/text.txt" "$pdf.raw.txt")
  check "$name: text layer gives the OCR text back (pdftotext -raw, CER $layer <= 0.02)" "awk -v c='$layer' 'BEGIN { exit !(c <= 0.02) }'"
  layout=$(cer_of "data/objects/docs/$did/text.txt" "$pdf.txt")
  check "$name: pdftotext's own layout order stays close (CER $layout <= 0.15)" "awk -v c='$layout' 'BEGIN { exit !(c <= 0.15) }'"
  rec="data/objects/docs/$did/record.json"
  check "$name: record done with page text" '[ "$(jq -r ".document.status" "$rec")" = done ] && [ "$(jq -r ".document.pages[0].text | length" "$rec")" -gt 100 ]'
done

# search over what was ingested: folded query finds accented text, exact tones rank first
"$sohoa" search --data-dir data "quyet dinh" > search-folded.txt || true
head -n 4 search-folded.txt
check "folded query 'quyet dinh' finds accented pages, marked" 'grep -q "«QUYẾT» «ĐỊNH»\|«Quyết» «định»\|«quyết» «định»" search-folded.txt'
"$sohoa" search --data-dir data --department "Sở Tư pháp" "quyết định" > search-dept.txt || true
check "department filter keeps only that dossier" '! grep -q "dossier clean" search-dept.txt && grep -q "dossier real" search-dept.txt'
exit $fail
