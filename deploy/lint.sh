#!/usr/bin/env bash
# deploy/lint.sh [DEPLOY_DIR] — checks the deploy files without Docker or a cluster:
#   yamllint          every YAML file, with the repository's .yamllint (--strict: warnings fail)
#   compose           docker-compose config -q on compose/compose.yaml with .env.example
#   k8s               every object of k8s/*.yaml against the Kubernetes / KEDA schemas, references
#                     between objects, kustomization.yaml's resource list (lint/lint.mjs)
#   policy            one grace period everywhere, OMP_THREAD_LIMIT=1, ports only on 127.0.0.1,
#                     hardened units, non-root runtime image, queue names (lint/lint.mjs)
#   dockerfile-utils  the Dockerfile's syntax and instructions
#   dockerfilelint    the Dockerfile's common mistakes
#   apt-packages      every package of the runtime stage exists in Debian 12 (apt-cache)
#   systemd-analyze   systemd-analyze verify of the units, in a scratch root where the binary
#                     exists; any message fails (verify exits 0 on unknown keys and bad values)
#   shell scripts     this script and its test, through ShellCheck
# DEPLOY_DIR defaults to this folder; the tests point it at deliberately broken copies. The tools
# come from `deploy/install.sh --integration` (yamllint, docker-compose, systemd, node, npm) and
# from deploy/lint/package-lock.json (npm ci, on first use). A missing tool is a failure, never a
# skip. Prints "ok NAME" or "FAIL NAME" with the tool's output, then "N passed, N failed";
# exits 1 when any check failed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
dir="$(cd "${1:-$here}" && pwd)"
lintdir="$here/lint"
bin="$lintdir/node_modules/.bin"
passed=0
failed=0
scratch="$(mktemp -d "${TMPDIR:-/tmp}/sohoa-deploy-lint-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

# check NAME COMMAND...: runs COMMAND; fails on a non-zero exit or (for tools that exit 0 on
# warnings) when it printed anything and SILENT_OK is set.
check() {
  local name="$1"
  shift
  local out rc
  out="$("$@" 2>&1)"
  rc=$?
  if [ "$rc" -eq 0 ] && { [ -z "${SILENT_OK:-}" ] || [ -z "$out" ]; }; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name (exit $rc)"
    [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/     /'
    failed=$((failed + 1))
  fi
}

need() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "missing tool $1: run deploy/install.sh --integration"
    return 1
  }
}

# --- npm tools, from the lock file ------------------------------------------------------------------
if [ ! -x "$bin/dockerfile-utils" ] || [ "$lintdir/package-lock.json" -nt "$lintdir/node_modules/.package-lock.json" ]; then
  echo "installing the linters (npm ci in $lintdir)"
  (cd "$lintdir" && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed"
fi

# --- YAML -------------------------------------------------------------------------------------------
yaml_files() { find "$dir" -name node_modules -prune -o \( -name '*.yaml' -o -name '*.yml' \) -print | sort; }
run_yamllint() {
  need yamllint || return 1
  local files
  mapfile -t files < <(yaml_files)
  [ "${#files[@]}" -gt 0 ] || { echo "no YAML files under $dir"; return 1; }
  yamllint --strict -c "$root/.yamllint" "$root/.yamllint" "${files[@]}"
}
check yamllint run_yamllint

# --- compose ----------------------------------------------------------------------------------------
run_compose() {
  need docker-compose || return 1
  docker-compose --project-directory "$dir/compose" -f "$dir/compose/compose.yaml" \
    --env-file "$dir/compose/.env.example" config -q
}
check compose run_compose

# --- Kubernetes and policy (node) -------------------------------------------------------------------
run_node() { need node && node "$lintdir/lint.mjs" "$1" "$dir"; }
check k8s run_node k8s
check policy run_node policy

# --- Dockerfile -------------------------------------------------------------------------------------
run_dockerfile_utils() { [ -x "$bin/dockerfile-utils" ] && "$bin/dockerfile-utils" lint "$dir/Dockerfile"; }
SILENT_OK=1 check dockerfile-utils run_dockerfile_utils
run_dockerfilelint() { [ -x "$bin/dockerfilelint" ] && "$bin/dockerfilelint" "$dir/Dockerfile"; }
check dockerfilelint run_dockerfilelint

run_apt_packages() {
  need apt-cache || return 1
  if ! apt-cache show libc6 >/dev/null 2>&1; then
    echo "apt-cache knows no packages: run apt-get update (deploy/install.sh does)"
    return 1
  fi
  local list shown pk bad=0
  list="$(node "$lintdir/lint.mjs" runtime-packages "$dir")" || return 1
  [ -n "$list" ] || { echo "no runtime packages found in the Dockerfile"; return 1; }
  # one apt-cache call for all (it shows the packages it knows and exits 100 if any is unknown)
  # shellcheck disable=SC2086 # one package a word
  shown="$(apt-cache show --no-all-versions $list 2>/dev/null | sed -n 's/^Package: //p')"
  for pk in $list; do
    if ! grep -qx -- "$pk" <<<"$shown"; then
      echo "runtime package $pk is not in the Debian archive"
      bad=1
    fi
  done
  [ "$bad" -eq 0 ] || return 1
  # the image is debian:12: warn loudly if this machine is not, since names differ across releases
  grep -q '^12' /etc/debian_version 2>/dev/null || echo "note: this machine is not Debian 12" >&2
}
check apt-packages run_apt_packages

# --- systemd ----------------------------------------------------------------------------------------
run_systemd() {
  need systemd-analyze || return 1
  local r="$scratch/sysroot"
  mkdir -p "$r/usr/local/bin" "$r/etc/systemd/system" "$r/usr/lib/systemd"
  # the units' dependencies (network-online.target, sysinit.target, …) from this machine
  cp -a /usr/lib/systemd/system "$r/usr/lib/systemd/"
  printf '#!/bin/sh\nexit 0\n' >"$r/usr/local/bin/sohoa"
  chmod 0755 "$r/usr/local/bin/sohoa"
  cp "$dir"/systemd/*.service "$dir"/systemd/*.target "$r/etc/systemd/system/"
  local units=()
  for u in "$dir"/systemd/*.service "$dir"/systemd/*.target; do
    units+=("$r/etc/systemd/system/$(basename "$u")")
  done
  SYSTEMD_LOG_COLOR=0 systemd-analyze --root="$r" verify "${units[@]}"
}
SILENT_OK=1 check systemd-analyze run_systemd

# --- shell scripts ----------------------------------------------------------------------------------
run_shellcheck() {
  need shellcheck || return 1
  shellcheck "$dir/lint.sh" "$root/tests/integration/deploy_lint.sh"
}
check shell-scripts run_shellcheck

echo "deploy lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
