#!/usr/bin/env bash
# Integration test: the deploy files (Dockerfile, compose, Kubernetes, systemd) pass deploy/lint.sh,
# and every check of deploy/lint.sh can fail: each case copies deploy/ into WORK_DIR, breaks one
# thing in the copy, runs deploy/lint.sh on the copy and expects the named check to fail.
# Docker and a cluster are not needed (nor run); the linters come from
# `deploy/install.sh --integration` and deploy/lint/package-lock.json.
#
# usage: deploy_lint.sh BUILD_DIR CORPUS_DIR WORK_DIR   (BUILD_DIR and CORPUS_DIR are not used)
# shellcheck disable=SC2016 # the sed scripts below are meant literally
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work_parent="${3:-${TMPDIR:-/tmp}}"
mkdir -p "$work_parent"
work="$(mktemp -d "$work_parent/sohoa-deploy-lint-XXXXXX")"
trap 'rm -rf "$work"' EXIT
lint="$root/deploy/lint.sh"
passed=0
failed=0

echo "== deploy/lint.sh on the repository's files"
if "$lint" >"$work/clean.log" 2>&1; then
  sed 's/^/   /' "$work/clean.log"
  passed=$((passed + 1))
else
  sed 's/^/   /' "$work/clean.log"
  echo "FAIL: deploy/lint.sh does not pass on the repository's files"
  failed=$((failed + 1))
fi

# broken NAME EXPECTED_CHECK FILE SED_SCRIPT: copy deploy/, apply SED_SCRIPT to FILE in the copy
# (which must change it), expect deploy/lint.sh to exit non-zero with "FAIL EXPECTED_CHECK".
n=0
broken() {
  local name="$1" expect="$2" file="$3" script="$4"
  n=$((n + 1))
  local copy="$work/case$n"
  mkdir -p "$copy"
  tar -C "$root" --exclude=node_modules -cf - deploy | tar -C "$copy" -xf -
  if [ -f "$root/workers/QUEUE.md" ]; then
    mkdir -p "$copy/workers"
    cp "$root/workers/QUEUE.md" "$copy/workers/"
  fi
  local target="$copy/deploy/$file"
  sed -i -e "$script" "$target"
  if cmp -s "$target" "$root/deploy/$file"; then
    echo "FAIL $name: the mutation did not change deploy/$file (test is stale)"
    failed=$((failed + 1))
    return
  fi
  local rc=0
  "$lint" "$copy/deploy" >"$copy/lint.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && grep -q "^FAIL $expect " "$copy/lint.log"; then
    # the tool's first two lines of complaint, on one line
    echo "ok   $name: $(sed -n "/^FAIL $expect /,/^[a-z]/{/^     /p}" "$copy/lint.log" | grep -v '^ *$' |
      head -2 | sed 's/^ *//' | tr '\n' ' ')"
    passed=$((passed + 1))
  else
    echo "FAIL $name: expected check '$expect' to fail (lint exit $rc)"
    sed 's/^/   /' "$copy/lint.log"
    failed=$((failed + 1))
  fi
}

echo "== each check fails on a deliberately broken copy"
broken "duplicate key in a ConfigMap" yamllint k8s/configmap.yaml \
  '/^  SOHOA_S3_HTTPS:/a\  SOHOA_S3_HTTPS: "1"'
broken "trailing spaces in compose" yamllint compose/compose.yaml 's/^  postgres:$/  postgres:   /'
broken "unknown compose key" compose compose/compose.yaml 's/^  postgres:$/  postgres:\n    restartt: always/'
broken "bad depends_on condition" compose compose/compose.yaml \
  's/condition: service_completed_successfully/condition: service_finished/'
broken "replicas not an integer" k8s k8s/api.yaml 's/^  replicas: 2$/  replicas: two/'
broken "KEDA minReplicaCount not an integer" k8s k8s/keda.yaml 's/minReplicaCount: 1$/minReplicaCount: one/'
broken "unknown apiVersion" k8s k8s/pdb.yaml '0,/policy\/v1$/s//policy\/v0/'
broken "ScaledObject targets a missing Deployment" k8s k8s/keda.yaml \
  '/^    kind: Deployment$/{n;s/name: sohoa-worker/name: sohoa-wrker/}'
broken "queue name typo" k8s k8s/keda.yaml 's/queueName: sohoa.bulk/queueName: sohoa.bluk/'
broken "Service targets an unnamed port" k8s k8s/api.yaml 's/targetPort: http$/targetPort: web/'
broken "kustomization misses a manifest" k8s k8s/kustomization.yaml '/^  - pdb.yaml$/d'
broken "API published on every interface" policy compose/compose.yaml \
  's/"127.0.0.1:${SOHOA_API_PORT:-8080}:8080"/"${SOHOA_API_PORT:-8080}:8080"/'
broken "compose grace period differs" policy compose/compose.yaml 's/stop_grace_period: 120s/stop_grace_period: 10s/'
broken "k8s grace period differs" policy k8s/worker.yaml \
  's/terminationGracePeriodSeconds: 120/terminationGracePeriodSeconds: 30/'
broken "systemd stop timeout differs" policy systemd/sohoa-api.service 's/^TimeoutStopSec=120/TimeoutStopSec=90/'
broken "OMP_THREAD_LIMIT missing in k8s" policy k8s/configmap.yaml '/OMP_THREAD_LIMIT/d'
broken "image runs as root" policy Dockerfile 's/^USER 10001:10001/USER root/'
broken "-dev package in the runtime image" policy Dockerfile 's/ libjansson4 / libjansson-dev /'
broken "STOPSIGNAL without a signal" dockerfile-utils Dockerfile 's/^STOPSIGNAL SIGTERM/STOPSIGNAL/'
broken "EXPOSE of an impossible port" dockerfilelint Dockerfile 's/^EXPOSE 8080/EXPOSE 80800/'
broken "runtime package not in Debian 12" apt-packages Dockerfile 's/ libs3-2 / libs3-4 /'
broken "misspelt systemd directive" systemd-analyze systemd/sohoa-worker@.service \
  's/^RestrictRealtime=yes/RestrictRealtme=yes/'
broken "bad systemd value" systemd-analyze systemd/sohoa-api.service 's/^RestartSec=5/RestartSec=soon/'
broken "shell script bug" shell-scripts lint.sh 's/^passed=0$/passed=0\nunused_var=$passed/'

echo "deploy_lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
