# shellcheck shell=bash
# deploy/llvm14.sh — sourced by check_format.sh and tidy.sh: llvm14 TOOL WHO prints the command of
# TOOL version 14 (TOOL-14, else TOOL), or says why not (prefixed by WHO) on stderr and returns 1.
# The repository's .clang-format and .clang-tidy are written for 14: other versions format and
# check differently.
llvm14() {
  local tool=$1 who=$2 c
  for c in "$tool-14" "$tool"; do
    if command -v "$c" >/dev/null; then
      case "$("$c" --version)" in
        *" 14."*) echo "$c"; return 0 ;;
        *) echo "$who: $c is not version 14 ($("$c" --version | head -n 1))" >&2; return 1 ;;
      esac
    fi
  done
  echo "$who: $tool not found (deploy/install.sh --tests)" >&2
  return 1
}
