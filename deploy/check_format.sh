#!/usr/bin/env bash
# deploy/check_format.sh [--fix] — every C file of the repository (.c and .h: tracked, and new files
# not ignored by .gitignore) against the repository's .clang-format, with clang-format 14:
# `clang-format --dry-run -Werror`. Prints each file that is not formatted and the first lines of
# its diagnostics, then "format: N files, N not formatted"; exits 1 when any file is not formatted.
#   --fix   rewrite the files in place (clang-format -i) instead of checking them
# Outside a git work tree (a source tarball) it falls back to `find`, skipping build*/ and
# node_modules/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
fix=0
[ "${1:-}" = "--fix" ] && fix=1

# shellcheck source=deploy/llvm14.sh
. "$root/deploy/llvm14.sh"
cf=$(llvm14 clang-format format) || exit 1

files=()
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  while IFS= read -r -d '' f; do
    [ -f "$f" ] && files+=("$f") # a file deleted in the work tree is still in the index
  done < <(git ls-files -z --cached --others --exclude-standard -- '*.c' '*.h')
else
  while IFS= read -r -d '' f; do files+=("${f#./}"); done \
    < <(find . \( -path ./node_modules -o -path '*/node_modules' -o -path './build*' \) -prune \
        -o \( -name '*.c' -o -name '*.h' \) -type f -print0)
fi
[ "${#files[@]}" -gt 0 ] || { echo "format: no C files found" >&2; exit 1; }

if [ "$fix" = 1 ]; then
  "$cf" -i "${files[@]}"
  echo "format: ${#files[@]} files formatted in place"
  exit 0
fi

bad=0
for f in "${files[@]}"; do
  if ! out="$("$cf" --dry-run -Werror "$f" 2>&1)"; then
    bad=$((bad + 1))
    echo "not formatted: $f (clang-format -i $f)"
    printf '%s\n' "$out" | grep -- '-Wclang-format-violations' | head -5 | sed 's/^/  /'
  fi
done
echo "format: ${#files[@]} files, $bad not formatted"
[ "$bad" -eq 0 ]
