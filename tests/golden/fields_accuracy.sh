#!/usr/bin/env bash
# fields_accuracy.sh — field-level exact-match accuracy of `sohoa extract` on generated documents.
#
# Usage: bash fields_accuracy.sh SOHOA_BIN CORPUS_DIR WORK_DIR   (CORPUS_DIR is not used)
#
# The generator ($(dirname SOHOA_BIN)/bench/sohoa_gen --doctype all) renders every document type
# with fictional data and known fields: FIELDS_CLEAN (default 4) clean renders of each type
# (seed 5) and FIELDS_DAMAGED (default 2) scan-damaged ones (--damage mild, JPEG, seals on the
# sealed types; seed 6). Each goes through `sohoa extract FILE --json`; every field of the ground
# truth (<name>.json) is compared with the extracted normalised value, exactly. A field that was
# not extracted counts as wrong.
#
# Prints a table per type and variant (fields right / total, % exact, classification right /
# documents) and every wrong value as truth vs got. Fails when, on the clean renders, a type's
# field accuracy is below FIELDS_MIN_PCT (default 95) or the classifier gives a wrong type.
# Damaged renders are reported, not asserted. WORK_DIR/fields.tsv keeps one row per field.
# FIELDS_TYPES (space- or comma-separated type ids, default all) restricts the run to those types
# (the same documents are rendered; only theirs are extracted and scored).
set -u
sohoa=$1
work=$3
gen="$(dirname "$sohoa")/bench/sohoa_gen"
n_clean=${FIELDS_CLEAN:-4}
n_damaged=${FIELDS_DAMAGED:-2}
min_pct=${FIELDS_MIN_PCT:-95}
types=" $(echo "${FIELDS_TYPES:-}" | tr ',' ' ') "

command -v jq >/dev/null || { echo "fields_accuracy: jq is needed" >&2; exit 1; }
[ -x "$gen" ] || { echo "fields_accuracy: no generator at $gen" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work/clean" "$work/damaged" "$work/out"
export VIPS_CONCURRENCY=1 OMP_THREAD_LIMIT=1

t0=$(date +%s)
"$gen" --doctype all --count "$n_clean" --seed 5 --out "$work/clean" 2>"$work/gen.log" ||
    { cat "$work/gen.log" >&2; exit 1; }
"$gen" --doctype all --count "$n_damaged" --seed 6 --damage mild --format jpeg \
    --out "$work/damaged" 2>>"$work/gen.log" || { cat "$work/gen.log" >&2; exit 1; }
t1=$(date +%s)

# One TSV row per truth field: variant, type, doc, got_type, field, truth, got, ok (values as
# JSON strings so that the MRZ's newlines stay on one row).
tsv="$work/fields.tsv"
printf 'variant\ttype\tdoc\tgot_type\tfield\ttruth\tgot\tok\n' >"$tsv"
for variant in clean damaged; do
    for truth in "$work/$variant"/*.json; do
        base=${truth%.json}
        name=$(basename "$base")
        if [ -n "${types// /}" ]; then
            case "$types" in *" ${name%-[0-9]*} "*) ;; *) continue ;; esac
        fi
        img=$(ls "$base".png "$base".jpg 2>/dev/null | head -1)
        out="$work/out/$variant-$name.json"
        if ! timeout 300 "$sohoa" extract "$img" --json >"$out" 2>"$out.err"; then
            echo "fields_accuracy: sohoa extract failed on $variant/$name: $(head -c 300 "$out.err")" >&2
            echo '{"type": "error", "fields": {}}' >"$out"
        fi
        jq -r -n --arg v "$variant" --arg doc "$name" \
            --slurpfile t "$truth" --slurpfile o "$out" '
            ($t[0]) as $t | ($o[0] // {}) as $o |
            $t.fields | to_entries[] |
            ($o.fields[.key].value // null) as $got |
            [$v, $t.type, $doc, ($o.type // "none"), .key, (.value | tojson),
             ($got | tojson), (if $got == .value then "1" else "0" end)] | @tsv' >>"$tsv" ||
            { echo "fields_accuracy: cannot compare $out" >&2; exit 1; }
    done
done
t2=$(date +%s)

fail=0
echo "field accuracy of sohoa extract on generated documents (exact match of normalised values)"
printf '%-8s %-22s %8s %8s %7s %9s\n' variant type right total exact type_ok
awk -F'\t' 'NR > 1 {
        k = $1 "\t" $2; right[k] += $8; total[k]++
        d = $1 "\t" $2 "\t" $3
        if (!(d in seen)) { seen[d] = 1; docs[k]++; if ($4 == $2) tok[k]++ }
    }
    END { for (k in total) { split(k, a, "\t")
        printf "%s\t%s\t%d\t%d\t%.1f\t%d/%d\n", a[1], a[2], right[k], total[k],
               100 * right[k] / total[k], tok[k] + 0, docs[k] } }' "$tsv" |
    sort -t$'\t' -k1,1 -k2,2 >"$work/summary.tsv"
while IFS=$'\t' read -r variant type right total pct typeok; do
    printf '%-8s %-22s %8d %8d %6.1f%% %9s\n' "$variant" "$type" "$right" "$total" "$pct" "$typeok"
    if [ "$variant" = clean ]; then
        if awk -v p="$pct" -v m="$min_pct" 'BEGIN { exit !(p < m) }'; then
            echo "FAIL: clean $type: $pct % of fields exact, below $min_pct %" >&2
            fail=1
        fi
        if [ "${typeok%/*}" != "${typeok#*/}" ]; then
            echo "FAIL: clean $type: classified right on $typeok documents" >&2
            fail=1
        fi
    fi
done <"$work/summary.tsv"
awk -F'\t' 'NR > 1 { r[$1] += $8; n[$1]++ }
    END { for (v in n) printf "%s overall: %d / %d fields exact (%.1f %%)\n", v, r[v], n[v],
                               100 * r[v] / n[v] }' "$tsv" | sort

echo
echo "wrong values (variant type/doc field: truth vs got; got null = not extracted):"
awk -F'\t' 'NR > 1 && $8 == "0" {
        printf "  %s %s%s %s: %s vs %s\n", $1, $3, ($4 != $2 ? " [classified " $4 "]" : ""),
               $5, $6, $7 }' "$tsv"
echo
echo "timing: generate $((t1 - t0)) s, extract $((t2 - t1)) s" \
    "($(($(wc -l <"$tsv") - 1)) fields of $(ls "$work"/out/*.json | wc -l) documents)"
[ "$fail" = 0 ] && echo "fields_accuracy: OK" || echo "fields_accuracy: FAILED"
exit "$fail"
