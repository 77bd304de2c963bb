#!/usr/bin/env bash
# bench/search.sh — search latency over a synthetic index of 100 000 pages, and index size a page
# (issue 3, item 8), with bench/tools/sohoa_searchbench.
#
# Page texts are made of the sentences of ../shared/corpus/text (Wikipedia articles, the UDHR,
# Truyện Kiều prefaces, Tatoeba sentences). The index is built once and cached in
# bench/work/cache/search/ (rebuilt when the settings change); it is built on tmpfs (/dev/shm)
# when there is one, because the catalog commits every page with synchronous=FULL (~3 ms of fsync a
# page on this disk: 100 000 pages would take 5 minutes for nothing this benchmark measures), then
# moved to the cache, where the queries run. 100 (quick) / 500 (full) queries of each kind.
# Writes $out/sections/60-search.md and $out/data/search.tsv.
. "$(dirname "$0")/lib.sh"

pages=${BENCH_SEARCH_PAGES:-100000}
q=$(pick 100 500)
sd="$cache/search"
mkdir -p "$sd"
jq -r '.extract // empty' "$corpus/text/wiki_vi/articles.jsonl" >"$sd/wiki.txt"
cut -f3 "$corpus/text/tatoeba_vi/vie_sentences_sample_3k.tsv" >"$sd/tatoeba.txt"
texts=(--text "$sd/wiki.txt" --text "$corpus/text/udhr_vi/udhr_vi.txt" --text "$sd/tatoeba.txt")
for f in "$corpus"/text/wikisource_vi/*.txt; do texts+=(--text "$f"); done
idx="$sd/index-$pages.sqlite"

if [ ! -f "$idx" ] || [ ! -f "$sd/build-$pages.tsv" ]; then # (the tool checks the settings)
  tmp="$sd/tmp"
  [ -w /dev/shm ] && tmp=$(mktemp -d /dev/shm/sohoa-searchbench.XXXXXX)
  rm -f "$idx" "$idx-wal" "$idx-shm" "$tmp/index.sqlite"*
  mkdir -p "$tmp"
  log "search: building an index of $pages pages (once; cached in $sd)"
  "$tools/sohoa_searchbench" --index "$tmp/index.sqlite" "${texts[@]}" --pages "$pages" \
    --build-only >"$sd/build-$pages.tsv.tmp" 2>"$out/logs/search-build.log"
  mv "$tmp/index.sqlite" "$idx"
  rm -rf "$tmp"
  mv "$sd/build-$pages.tsv.tmp" "$sd/build-$pages.tsv"
fi

tsv="$out/data/search.tsv"
log "search: $q queries of each kind over $pages pages"
"$tools/sohoa_searchbench" --index "$idx" "${texts[@]}" --pages "$pages" --queries "$q" \
  >"$tsv" 2>"$out/logs/search.log"

val() { awk -F'\t' -v k="# $1" '$1 == k { print $2 }' "$2"; }
index_bytes=$(val index_bytes "$tsv")
text_bytes=$(val text_bytes "$tsv")
build_s=$(val build_s "$sd/build-$pages.tsv")
rows=$(for kind in exact folded phrase; do
  read -r k p50 p95 max < <(pctls "$tsv" 2 1 "$kind")
  hits=$(awk -F'\t' -v t="$kind" '$1 == t { h += $3; n++ } END { printf "%.1f", h / n }' "$tsv")
  example=$(awk -F'\t' -v t="$kind" '$1 == t { print $4; exit }' "$tsv")
  printf '| %s | %s | **%s ms** | **%s ms** | %s ms | %s | `%s` |\n' "$kind" "$k" "$p50" "$p95" "$max" "$hits" "$example"
done)
read -r _ all50 all95 allmax < <(pctls "$tsv" 2)
worst=$(for kind in exact folded phrase; do pctls "$tsv" 2 1 "$kind" | cut -d' ' -f3; done | sort -g | tail -1)
summary search_p95 "$all95 ms"
summary search_p95_worst "$worst ms"
summary search_p50 "$all50 ms"
summary index_per_page "$(printf '%.1f KB' "$(echo "$index_bytes / $pages / 1024" | bc -l)")"

cat >"$out/sections/60-search.md" <<EOF
## Search

\`bench/tools/sohoa_searchbench\`: an index of $pages pages written through the catalog's own calls
(\`sohoa_catalog_page_done\`, 10 pages a document, 1000 a dossier), each page 200–400 words of
consecutive sentences of \`../shared/corpus/text\` (Wikipedia, UDHR, Truyện Kiều, Tatoeba) from a
seeded start. Queries are drawn from the pages themselves, run one after another through
\`sohoa_catalog_search\` (default options: 20 hits with snippets, exact-tone matches ranked first),
kinds interleaved, after 10 untimed warm-up rounds:
exact = two words of a page as written; folded = two words with diacritics written without them;
phrase = three adjacent words in quotes.

| kind | queries | p50 | p95 | max | hits (mean, ≤ 20) | example |
|---|---|---|---|---|---|---|
$rows
| all | $((3 * q)) | $all50 ms | **$all95 ms** | $allmax ms | | |

Index: $(printf '%.1f' "$(echo "$index_bytes / 1048576" | bc -l)") MB for $pages pages, **$(printf '%.1f' "$(echo "$index_bytes / $pages / 1024" | bc -l)") KB a page**
for $(printf '%.1f' "$(echo "$text_bytes / $pages / 1024" | bc -l)") KB of text a page ($(printf '%.1f' "$(echo "$index_bytes / $text_bytes" | bc -l)")× the text: the catalog stores
each page's text and indexes it twice, as written and folded). Built once in ${build_s} s on tmpfs
and cached (the queries read the cached file on disk, warm in the page cache).
EOF
log "search: done"
