#!/usr/bin/env bash
# extract_matches_ingest.sh — `sohoa extract FILE --json` and the extraction in record.json after
# `sohoa ingest` run the same page chain (pipeline/image/pagechain.h) and the same document step,
# so they must agree field for field: for one generated document of every type (fixed seed, mild
# scan damage on some), the type, each field's normalised value, source, page and confidence, and
# the validation codes are compared. Any difference is listed and fails the test.
#
# Usage: bash extract_matches_ingest.sh SOHOA_BIN CORPUS_DIR WORK_DIR   (CORPUS_DIR is not used)
set -u
sohoa=$1
work=$3
gen="$(dirname "$sohoa")/bench/sohoa_gen"
command -v jq >/dev/null || { echo "extract_matches_ingest: jq is needed" >&2; exit 1; }
[ -x "$gen" ] || { echo "extract_matches_ingest: no generator at $gen" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work/gen" "$work/in/hs"
export VIPS_CONCURRENCY=1 OMP_THREAD_LIMIT=1
types="cccd_front cccd_back cmnd birth_certificate business_registration land_use_certificate
       application_form official_document dossier_receipt"
for t in $types; do
  "$gen" --doctype "$t" --seed 11 --out "$work/gen" >>"$work/gen.log" 2>&1 ||
    { cat "$work/gen.log"; echo "FAIL: generator ($t)"; exit 1; }
  cp "$work/gen/$t-0001.png" "$work/in/hs/"
done
timeout 900 "$sohoa" ingest --quiet --workers 2 --data-dir "$work/data" "$work/in/hs" \
  >"$work/ingest.out" 2>&1 || { cat "$work/ingest.out"; echo "FAIL: ingest"; exit 1; }

# the comparable part of an extraction object: type and fields (value, source, page, confidence
# rounded to 3 places), the validation codes
view='{type: .type,
       fields: ((.fields // {}) | map_values({value, source, page,
                                             confidence: ((.confidence // 0) * 1000 | round)})),
       checks: [(.validation // [])[] | .code] | sort}'
pass=0 fail=0
for t in $types; do
  f="$work/in/hs/$t-0001.png"
  doc=$(sha256sum "$f" | cut -d' ' -f1)
  timeout 300 "$sohoa" extract --json "$f" >"$work/$t.extract.json" 2>"$work/$t.extract.err" ||
    { echo "FAIL: $t: extract: $(cat "$work/$t.extract.err")"; fail=$((fail + 1)); continue; }
  a=$(jq -S "$view" "$work/$t.extract.json")
  b=$(jq -S ".document.extraction | $view" "$work/data/objects/docs/$doc/record.json")
  if [ "$a" = "$b" ] && [ -n "$a" ] && [ "$(jq -r .type <<<"$a")" != null ]; then
    pass=$((pass + 1))
  else
    echo "FAIL: $t: extract and ingest differ:"
    diff <(echo "$a") <(echo "$b") | head -20
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
