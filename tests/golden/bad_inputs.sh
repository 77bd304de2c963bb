#!/usr/bin/env bash
# Golden test: a dossier full of bad inputs next to one good page (table: bad_inputs.tsv).
# usage: bad_inputs.sh SOHOA CORPUS_DIR WORK_DIR
set -euo pipefail
sohoa="$1"; corpus="$2"; work="$3"
here="$(cd "$(dirname "$0")" && pwd)"
data="$here/../data"
rm -rf "$work"; mkdir -p "$work/dossier"
cd "$work"
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }

# the good page, under a non-UTF-8 file name (byte 0xff)
good_name=$'good-\xff-page.png'
cp "$corpus/vn-docs-clean/pages/govt_thong_bao_p1.png" "dossier/$good_name"
# a PNG named .pdf: sniffed by content, must succeed
cp "$data/imageio/bilevel.png" "dossier/png-named-as.pdf"
echo '{"receipt_no":"000.00.00.H30-261129-0099","department":"Sở Tư pháp","received_date":"2026-11-29","source":"desk"}' > dossier/dossier.json

while IFS=$'\t' read -r name src kind msg; do
  case "$name" in ''|'#'*) continue ;; esac
  case "$src" in
    @empty) : > "dossier/$name" ;;
    @text) printf 'Đây không phải là ảnh.\n' > "dossier/$name" ;;
    @dangling) ln -s "$work/does-not-exist.png" "dossier/$name" ;;
    @escape) ln -s "$corpus/vn-docs/pages/real_qd_707_ttg_p1.png" "dossier/$name" ;;
    @fifo) mkfifo "dossier/$name" ;;
    @corpus:*) cp "$corpus/${src#@corpus:}" "dossier/$name" ;;
    *) cp "$data/$src" "dossier/$name" ;;
  esac
done < "$here/bad_inputs.tsv"

set +e
timeout 600 "$sohoa" ingest --data-dir "$work/data" --workers 2 dossier > ingest.out 2> ingest.err
code=$?
set -e
cat ingest.out; tail -n 40 ingest.err
check "exit code 1 (partial), got $code" '[ "$code" = 1 ]'

dj="data/objects/dossiers/000.00.00.h30-261129-0099/dossier.json"
check "dossier record written" '[ -f "$dj" ]'

while IFS=$'\t' read -r name src kind msg; do
  case "$name" in ''|'#'*) continue ;; esac
  got_kind=$(jq -r --arg n "$name" '.documents[] | select(.name == $n) | .error.kind // "none"' "$dj")
  got_msg=$(jq -r --arg n "$name" '.documents[] | select(.name == $n) | .error.message // ""' "$dj")
  if [ "$got_kind" = none ]; then # accepted at intake: the error is its page's
    id=$(jq -r --arg n "$name" '.documents[] | select(.name == $n) | .id' "$dj")
    rec="data/objects/docs/$id/record.json"
    got_kind=$(jq -r '[.document.pages[] | select(.status == "failed")][0].error.kind // "none"' "$rec" 2>/dev/null || echo none)
    got_msg=$(jq -r '[.document.pages[] | select(.status == "failed")][0].error.message // ""' "$rec" 2>/dev/null || true)
    check "$name: record says partial or failed" '[[ "$(jq -r .document.status "$rec")" =~ ^(partial|failed)$ ]]'
  fi
  check "$name: error kind $kind (got $got_kind: $got_msg)" '[ "$got_kind" = "$kind" ]'
  if [ -n "$msg" ]; then
    check "$name: message mentions '$msg'" 'grep -qiF -- "$msg" <<< "$got_msg"'
  fi
  # the original of every regular readable file is stored byte for byte
  if [ -f "dossier/$name" ] && [ ! -L "dossier/$name" ]; then
    sha=$(sha256sum "dossier/$name" | cut -d' ' -f1)
    check "$name: original stored" 'cmp -s "dossier/$name" "data/objects/originals/$sha"'
  fi
done < "$here/bad_inputs.tsv"

# the good documents were processed
for prefix in "good-" "png-named-as.pdf"; do
  name=$(jq -r --arg p "$prefix" '.documents[] | select(.name | startswith($p)) | .name' "$dj" | head -n1)
  id=$(jq -r --arg p "$prefix" '.documents[] | select(.name | startswith($p)) | .id' "$dj" | head -n1)
  check "$name: has an id ($id)" '[ -n "$id" ]'
  rec="data/objects/docs/$id/record.json"
  check "$name: record says done" '[ "$(jq -r .document.status "$rec" 2>/dev/null)" = done ]'
  check "$name: searchable PDF stored" '[ -s "data/objects/docs/$id/searchable.pdf" ]'
done
# the non-UTF-8 name is shown with U+FFFD, valid UTF-8
check "non-UTF-8 name sanitised" 'grep -q "good-�-page.png" <<< "$(jq -r ".documents[].name" "$dj")"'
# nothing was written outside the data directory
check "nothing written outside the data dir" '[ -z "$(find "$work" -newer ingest.out -not -path "$work/data*" -not -name ingest.err 2>/dev/null)" ]'
exit $fail
