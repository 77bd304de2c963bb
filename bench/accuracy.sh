#!/usr/bin/env bash
# bench/accuracy.sh — CER, WER and the diacritic share of character errors, per subset of the
# shared corpus and of generated pages, for sohoa and both anchors on the same pages (issue 3,
# item 4). Scoring: sohoa_score (NFC, one tone-mark placement, white space collapsed; pooled by
# summing edits and lengths, docs/CORPUS.md).
#
# Subsets (quick / full pages): real (4 / 4: the real scans of vn-docs); synth-<category> (1 / all
# of each category of vn-docs' synthetic scans); clean (4 / 12: vn-docs-clean); lines-clean,
# lines-noisy, lines-hard (5 / 20, 20, 30: vn-lines, single text lines); gen-mild, gen-heavy,
# gen-stamp (2 / 10: sohoa_gen pages with mild or heavy damage, or a letterhead and a red seal).
# vn-docs pages are page 1 of their PDFs at their native 200 dpi.
# Tools: `sohoa ingest` (every subset a dossier, one run); `tesseract PAGE OUT -l vie`; ocrmypdf's
# --sidecar text of one PDF per subset (--output-type pdf: the OCR and so the text are those of the
# default output, which only adds a PDF/A conversion afterwards).
# Writes $out/sections/30-accuracy.md and $out/data/accuracy.tsv.
. "$(dirname "$0")/lib.sh"

acc="$out/accuracy"
rm -rf "$acc"
sets="$acc/sets"
mkdir -p "$sets"
set_vndocs "$sets/real" 'real_*' 4
for c in contract conversational form formal literary news receipt; do
  set_vndocs "$sets/synth-$c" "synth_${c}_*" "$(pick 1 100)"
done
set_clean "$sets/clean" "$(pick 4 12)"
set_lines "$sets/lines-clean" clean "$(pick 5 20)"
set_lines "$sets/lines-noisy" noisy "$(pick 5 20)"
set_lines "$sets/lines-hard" hard "$(pick 5 30)"
g=$(pick 2 10)
set_link "$sets/gen-mild" "$(gen_cached "acc-mild-$g" "$g" 21 --damage mild --format jpeg)" "$g"
set_link "$sets/gen-heavy" "$(gen_cached "acc-heavy-$g" "$g" 22 --damage heavy --format jpeg)" "$g"
set_link "$sets/gen-stamp" "$(gen_cached "acc-stamp-$g" "$g" 23 --header --title "QUYẾT ĐỊNH" \
  --stamp --uneven --format jpeg)" "$g"
subsets=$(cd "$sets" && ls -d real synth-* clean lines-* gen-*)
dirs=()
for s in $subsets; do dirs+=("$sets/$s"); done

log "accuracy: sohoa"
"$sohoa" ingest --quiet --workers "$workers" --data-dir "$acc/sohoa-data" "${dirs[@]}" >"$out/logs/accuracy-sohoa.log" 2>&1 || log "accuracy: sohoa ingest exit $? (see logs)"
for s in $subsets; do
  sohoa_texts "$sets/$s" "$acc/sohoa-data" "$acc/hyp/sohoa/$s"
done
log "accuracy: tesseract"
for s in $subsets; do
  run_tesseract "$sets/$s" "$acc/hyp/tesseract/$s" txt
done
log "accuracy: ocrmypdf"
for s in $subsets; do
  set_pdf "$sets/$s" "$acc/$s.pdf"
  run_ocrmypdf --output-type pdf --sidecar "$acc/$s.sidecar.txt" "$acc/$s.pdf" "$acc/$s.ocr.pdf" \
    >>"$out/logs/accuracy-ocrmypdf.log" 2>&1 || log "accuracy: ocrmypdf failed on $s (see logs)"
  sidecar_texts "$sets/$s" "$acc/$s.sidecar.txt" "$acc/hyp/ocrmypdf/$s"
done

tsv="$out/data/accuracy.tsv"
: >"$tsv"
for s in $subsets; do
  for t in sohoa tesseract ocrmypdf; do
    score_set "$sets/$s" "$acc/hyp/$t/$s" | jq -r --arg s "$s" --arg t "$t" \
      '[$s, $t, .pages, .ref_chars, .char_edits, .diacritic_subs, .ref_words, .word_edits] | @tsv' >>"$tsv"
  done
done

# Rows: one per subset, then pooled groups; CER / WER / diacritic share for each tool.
table() {
  awk -F'\t' '
    function cell(k) { return sprintf("%.2f %% / %.1f %% / %.0f %%", 100 * e[k] / c[k],
                       100 * we[k] / w[k], e[k] ? 100 * d[k] / e[k] : 0) }
    function add(g, t) { c[g, t] += $4; e[g, t] += $5; d[g, t] += $6; w[g, t] += $7; we[g, t] += $8
                         if (t == "sohoa") p[g] += $3 }
    { if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
      add($1, $2); add("all pages", $2)
      if ($1 ~ /^synth-/) add("synth (all categories)", $2)
      if ($1 !~ /^lines-/) add("pages (no line images)", $2)
      if ($1 ~ /^lines-/) add("lines (all)", $2) }
    END { order[++n] = "synth (all categories)"; order[++n] = "lines (all)"
          order[++n] = "pages (no line images)"; order[++n] = "all pages"
          for (i = 1; i <= n; i++) { g = order[i]; b = (i > n - 4) ? "**" : ""
            printf "| %s%s%s | %d | %s | %s | %s |\n", b, g, b, p[g], cell(g SUBSEP "sohoa"),
                   cell(g SUBSEP "tesseract"), cell(g SUBSEP "ocrmypdf") } }' "$tsv"
}
pooled() { # GROUP TOOL → CER in %
  awk -F'\t' -v g="$1" -v t="$2" '$2 == t && (g == "all" || (g == "pages" && $1 !~ /^lines-/) ||
    $1 == g) { c += $4; e += $5 } END { printf "%.2f", 100 * e / c }' "$tsv"
}
for t in sohoa tesseract ocrmypdf; do
  summary "cer_all_$t" "$(pooled all "$t")"
  summary "cer_pages_$t" "$(pooled pages "$t")"
  summary "cer_real_$t" "$(pooled real "$t")"
done

cat >"$out/sections/30-accuracy.md" <<EOF
## Accuracy

Each cell: **CER / WER / share of character errors that are diacritic-only substitutions**, pooled
over the subset (edits and lengths summed), texts normalised alike (NFC, one tone-mark placement,
white space collapsed; \`sohoa_score\`). Same page images for all three tools: sohoa's own text
(\`text.txt\` of each document, embedded defaults), the \`tesseract\` CLI's text output, ocrmypdf's
\`--sidecar\` text. vn-docs pages are page 1 of their PDFs rendered at their native 200 dpi;
vn-lines are single text lines, run through each tool as they are (sohoa with its defaults,
page segmentation included: nothing special for lines).

| subset | pages | sohoa | tesseract CLI | ocrmypdf |
|---|---|---|---|---|
$(table)

Pooled CER: sohoa **$(pooled all sohoa) %**, tesseract CLI **$(pooled all tesseract) %**, ocrmypdf
**$(pooled all ocrmypdf) %** over every page; on the real scans $(pooled real sohoa) % /
$(pooled real tesseract) % / $(pooled real ocrmypdf) %.
EOF
log "accuracy: done"
