#!/usr/bin/env bash
# same_content.sh — the same scan given more than once is recorded, processed once, and never
# waited on forever (issue: `sohoa ingest` hung on a dossier holding one scan twice):
#   1. the same scan twice in one dossier: both positions listed (the second "the same content as
#      document 1"), the log says "same content as", one page processed;
#   2. the same scan in two dossiers of one run: both dossiers hold it, one page processed;
#   3. the same scan in a later run, in a third dossier: reused (nothing processed), the earlier
#      dossiers keep it, the new dossier has its summary;
#   4. the same upload to two dossiers through the API (`sohoa serve`, POST /v1/dossiers twice at
#      once): both dossiers done and listing it, one page processed by the server.
# Every command runs under `timeout`: a hang fails the test instead of stalling the suite.
#
# Usage: bash same_content.sh SOHOA_BIN CORPUS_DIR WORK_DIR
set -u
sohoa=$(realpath "$1")
corpus=$2
work=$3
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tests/servers/lib.sh
. "$here/../servers/lib.sh"
command -v jq >/dev/null || { echo "same_content: jq is needed" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"
export VIPS_CONCURRENCY=1 OMP_THREAD_LIMIT=1
scan="$corpus/vn-docs-clean/pages/contract_kinh_te_p1.png"
[ -f "$scan" ] || { echo "same_content: no $scan" >&2; exit 1; }
sha=$(sha256sum "$scan" | cut -d' ' -f1)
data="$work/data"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
BOUND=300 # s: far above one page's work, far below "forever"

ingest() { # ingest LOG PATH... → exit code
  local log=$1
  shift
  timeout "$BOUND" "$sohoa" ingest --quiet --workers 2 --data-dir "$data" "$@" >"$log" 2>&1
}
expect_exit0() { [ "$1" = 0 ] || { bad "$2: exit $1 (124 = hung)"; cat "$3"; }; [ "$1" = 0 ] && ok; }
processed() { sed -n 's/.*; \([0-9]*\) processed by this process.*/\1/p' "$1"; }
members() { # members DOSSIER → "name@ordinal(same_as)" lines from the catalog, via show
  timeout 60 "$sohoa" show --data-dir "$data" "$1" 2>/dev/null |
    awk 'function out() { if (n != "") print n"@"o"("s")" }
         /^[0-9]+\. /{out(); n=$2; o=$1; sub(/\./,"",o); s=0}
         /the same content as document/{s=$6; sub(/:/,"",s)} END{out()}'
}

# --- 1. twice in one dossier ---------------------------------------------------------------------
mkdir -p "$work/in/hs-a" "$work/in/hs-b" "$work/in/hs-c"
cp "$scan" "$work/in/hs-a/01-don.png"
cp "$scan" "$work/in/hs-a/02-don-scan-lai.png"
ingest "$work/1.log" "$work/in/hs-a"
expect_exit0 $? "twice in one dossier" "$work/1.log"
grep -q "02-don-scan-lai.png: same content as 01-don.png" "$work/1.log" && ok ||
  bad "the log does not say 'same content as'"
[ "$(processed "$work/1.log")" = 1 ] && ok || bad "twice in one dossier: $(processed "$work/1.log") pages processed, want 1"
got=$(members hs-a | tr '\n' ' ')
[ "$got" = "01-don.png@1(0) 02-don-scan-lai.png@2(1) " ] && ok || bad "hs-a lists '$got'"
[ -f "$data/objects/dossiers/hs-a/summary.json" ] && ok || bad "hs-a has no summary"

# --- 2. in two dossiers of one run (new content: another copy of the scan, a byte changed) --------
scan2="$work/scan2.png"
cp "$scan" "$scan2" && printf 'sohoa-test' >>"$scan2" # trailing bytes after IEND: same image
sha2=$(sha256sum "$scan2" | cut -d' ' -f1)
cp "$scan2" "$work/in/hs-b/anh.png"
cp "$scan2" "$work/in/hs-c/ban-sao.png"
ingest "$work/2.log" "$work/in/hs-b" "$work/in/hs-c"
expect_exit0 $? "two dossiers, one run" "$work/2.log"
[ "$(processed "$work/2.log")" = 1 ] && ok || bad "two dossiers: $(processed "$work/2.log") pages processed, want 1"
[ "$(members hs-b)" = "anh.png@1(0)" ] && ok || bad "hs-b lists '$(members hs-b)'"
[ "$(members hs-c)" = "ban-sao.png@1(0)" ] && ok || bad "hs-c lists '$(members hs-c)'"
for d in hs-b hs-c; do
  jq -e --arg s "$sha2" '.documents | map(.id) | index($s) != null' \
    "$data/objects/dossiers/$d/summary.json" >/dev/null 2>&1 && ok || bad "$d: summary lacks the document"
done

# --- 3. a later run, a third dossier ---------------------------------------------------------------
mkdir -p "$work/in/hs-d"
cp "$scan" "$work/in/hs-d/cccd.png"
ingest "$work/3.log" "$work/in/hs-d"
expect_exit0 $? "later run" "$work/3.log"
grep -q " 1 reused from earlier runs" "$work/3.log" && ok || { bad "later run: not reused"; cat "$work/3.log"; }
[ "$(processed "$work/3.log")" = 0 ] && ok || bad "later run: processed $(processed "$work/3.log") pages, want 0"
[ "$(members hs-d)" = "cccd.png@1(0)" ] && ok || bad "hs-d lists '$(members hs-d)'"
[ "$(members hs-a | head -1)" = "01-don.png@1(0)" ] && ok || bad "hs-a lost the document"
[ -f "$data/objects/dossiers/hs-d/summary.json" ] && ok || bad "hs-d has no summary"
# search names every dossier holding the page
timeout 60 "$sohoa" search --data-dir "$data" "hợp đồng" >"$work/search.out" 2>&1 || true
for d in hs-a hs-d; do grep -q "$d" "$work/search.out" && ok || bad "search does not name $d"; done

# --- 4. the same upload to two dossiers through the API, at once ---------------------------------
scan3="$work/scan3.png"
cp "$scan" "$scan3" && printf 'sohoa-api' >>"$scan3"
sha3=$(sha256sum "$scan3" | cut -d' ' -f1)
token=same-content-test-token-0123
api="$work/api"
mkdir -p "$api"
OMP_THREAD_LIMIT=1 "$sohoa" serve --data-dir "$api/data" --listen 127.0.0.1:0 --api-token "$token" \
  --workers 2 2>"$api/serve.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
port=$(serve_port "$api/serve.log") || { echo "FAIL: serve did not start"; exit 1; }
url="http://127.0.0.1:$port"
for r in 1 2; do
  curl -sS -o "$api/post$r.json" -H "Authorization: Bearer $token" \
    -F "metadata={\"receipt_no\": \"000.00.00.H30-261208-000$r\", \"source\": \"portal\"}" \
    -F "file=@$scan3;filename=cccd-$r.png" "$url/v1/dossiers" &
done
wait %2 %3 2>/dev/null || true
for r in 1 2; do
  id=$(jq -r '.id // empty' "$api/post$r.json")
  [ -n "$id" ] || { bad "POST $r: $(cat "$api/post$r.json")"; continue; }
  st=
  for _ in $(seq 1 $((BOUND * 2))); do
    curl -sS -o "$api/get$r.json" -H "Authorization: Bearer $token" "$url/v1/dossiers/$id"
    st=$(jq -r .status "$api/get$r.json")
    [ "$st" = processing ] || [ "$st" = accepted ] || break
    sleep 0.5
  done
  [ "$st" = done ] && ok || bad "API dossier $id: status $st"
  jq -e --arg s "$sha3" '.documents | length == 1 and .[0].id == $s and .[0].status == "done"' \
    "$api/get$r.json" >/dev/null && ok || bad "API dossier $id: documents $(jq -c .documents "$api/get$r.json")"
done
kill "$pid" && wait "$pid" 2>/dev/null
trap - EXIT
got=$(sed -n 's/.*this process processed \([0-9]*\) page(s).*/\1/p' "$api/serve.log")
[ "$got" = 1 ] && ok || { bad "API: serve processed '$got' pages, want 1"; cat "$api/serve.log"; }

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
