#!/usr/bin/env bash
# fields_ingest.sh — fields flow end to end through `sohoa ingest`: a dossier folder with three
# generated documents (cccd_front, dossier_receipt, business_registration; fictional data, known
# fields) is ingested; each document's record.json must carry the right type and, for the key
# fields of its type, the generator's truth exactly (the other fields are reported); the dossier's
# summary.json must list the three types with its completeness against the procedure named in its
# dossier.json; and `sohoa search --field id_number=<value>` must find the card (and a wrong
# number nothing).
#
# Usage: bash fields_ingest.sh SOHOA_BIN CORPUS_DIR WORK_DIR   (CORPUS_DIR is not used)
# Needs jq and the generator at $(dirname SOHOA_BIN)/bench/sohoa_gen.
set -u
sohoa=$1
work=$3
gen="$(dirname "$sohoa")/bench/sohoa_gen"
command -v jq >/dev/null || { echo "fields_ingest: jq is needed" >&2; exit 1; }
[ -x "$gen" ] || { echo "fields_ingest: no generator at $gen" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work/gen" "$work/in/hs"
export VIPS_CONCURRENCY=1 OMP_THREAD_LIMIT=1

types="cccd_front dossier_receipt business_registration"
declare -A key=(
    [cccd_front]="id_number full_name date_of_birth"
    [dossier_receipt]="receipt_number applicant_name received_date"
    [business_registration]="enterprise_code enterprise_name registration_date"
)
for t in $types; do
    "$gen" --doctype "$t" --seed 7 --out "$work/gen" 2>>"$work/gen.log" ||
        { cat "$work/gen.log" >&2; exit 1; }
    cp "$work/gen/$t-0001.png" "$work/in/hs/"
done
# procedure 1.001193 (birth registration) wants an application form and a CCCD front
echo '{"procedure_code": "1.001193", "source": "desk"}' >"$work/in/hs/dossier.json"

"$sohoa" ingest --quiet --workers 1 --data-dir "$work/data" "$work/in/hs" >"$work/ingest.out" 2>&1 ||
    { cat "$work/ingest.out"; echo "FAIL: ingest"; exit 1; }
grep -q "3 document(s) ok" "$work/ingest.out" || { cat "$work/ingest.out"; echo "FAIL: not 3 documents ok"; exit 1; }

fail=0
right=0 total=0
for t in $types; do
    truth="$work/gen/$t-0001.json"
    doc=$(sha256sum "$work/in/hs/$t-0001.png" | cut -d' ' -f1)
    rec="$work/data/objects/docs/$doc/record.json"
    [ -f "$rec" ] || { echo "FAIL: $t: no record $rec"; fail=1; continue; }
    got_type=$(jq -r '.document.extraction.type' "$rec")
    xerr=$(jq -c '.document.extraction.error' "$rec")
    if [ "$got_type" != "$t" ] || [ "$xerr" != null ]; then
        echo "FAIL: $t: record says type $got_type, error $xerr"; fail=1
    fi
    for f in $(jq -r '.fields | keys[]' "$truth"); do
        want=$(jq -r --arg f "$f" '.fields[$f]' "$truth")
        got=$(jq -r --arg f "$f" '.document.extraction.fields[$f].value // "(none)"' "$rec")
        src=$(jq -r --arg f "$f" '.document.extraction.fields[$f].source // "-"' "$rec")
        total=$((total + 1))
        is_key=0
        for k in ${key[$t]}; do [ "$k" = "$f" ] && is_key=1; done
        if [ "$want" = "$got" ]; then
            right=$((right + 1))
            printf 'ok    %-22s %-22s %s (%s)\n' "$t" "$f" "$got" "$src"
        elif [ $is_key = 1 ]; then
            printf 'FAIL  %-22s %-22s want "%s" got "%s"\n' "$t" "$f" "$want" "$got"; fail=1
        else
            printf 'miss  %-22s %-22s want "%s" got "%s" (not a key field)\n' "$t" "$f" "$want" "$got"
        fi
    done
done
echo "fields: $right of $total equal to the truth"

# the card's ID number comes from its QR code
doc=$(sha256sum "$work/in/hs/cccd_front-0001.png" | cut -d' ' -f1)
src=$(jq -r '.document.extraction.fields.id_number.source' "$work/data/objects/docs/$doc/record.json")
[ "$src" = qr ] || { echo "FAIL: id_number source is $src, not qr"; fail=1; }

# the dossier's summary
sum=$(ls "$work"/data/objects/dossiers/*/summary.json 2>/dev/null | head -1)
if [ -z "$sum" ]; then
    echo "FAIL: no dossier summary.json"; fail=1
else
    have=$(jq -r '[.documents[].type] | sort | join(" ")' "$sum")
    want=$(echo $types | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
    [ "$have" = "$want" ] || { echo "FAIL: summary types \"$have\", want \"$want\""; fail=1; }
    c=$(jq -r '.completeness | "\(.known) \(.complete) \(.code) \(.missing | join(","))"' "$sum")
    echo "completeness: $c"
    [ "$c" = "true false dossier.missing application_form" ] ||
        { echo "FAIL: completeness \"$c\""; fail=1; }
fi

# search by field
id=$(jq -r '.fields.id_number' "$work/gen/cccd_front-0001.json")
"$sohoa" search --data-dir "$work/data" --field "id_number=$id" >"$work/search.out" 2>&1
if grep -q "cccd_front-0001.png" "$work/search.out"; then
    echo "ok: search --field id_number=$id finds the card"
else
    cat "$work/search.out"; echo "FAIL: search --field id_number=$id finds nothing"; fail=1
fi
wrong=$(printf '%s' "$id" | tr '0123456789' '1234567890')
"$sohoa" search --data-dir "$work/data" --field "id_number=$wrong" >"$work/search2.out" 2>&1
if grep -q "cccd_front-0001.png" "$work/search2.out"; then
    echo "FAIL: search --field id_number=$wrong finds the card"; fail=1
fi
[ $fail = 0 ] && echo "fields_ingest: ok"
exit $fail
