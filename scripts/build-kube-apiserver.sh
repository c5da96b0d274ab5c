#!/usr/bin/env bash
# Builds kube-apiserver from Go modules (k8s.io/kubernetes cmd/kube-apiserver
# through the Go module proxy, every staging module pinned to the matching
# v0.x version, since the kubernetes module's go.mod points them at ./staging).
# For scripts/kube-dry-run.mjs; not part of make test (about 20 minutes of CPU).
#
#   scripts/build-kube-apiserver.sh [OUT_DIR]   (default .kube/; prints the binary's path)
# Needs Go >= 1.23. Idempotent: does nothing when OUT_DIR/kube-apiserver exists.
set -euo pipefail
cd "$(dirname "$0")/.."
K8S_VERSION=${K8S_VERSION:-1.32.13}
STAGING_VERSION="v0.${K8S_VERSION#1.}"
out=$(realpath -m "${1:-.kube}")
bin="$out/kube-apiserver"
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "v$K8S_VERSION"; then echo "$bin"; exit 0; fi
command -v go >/dev/null || { echo "build-kube-apiserver: needs Go (https://go.dev/dl or apt-get install golang)" >&2; exit 1; }
mod="$out/module"
mkdir -p "$mod"
staging=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider cluster-bootstrap code-generator
  component-base component-helpers controller-manager cri-api cri-client csi-translation-lib dynamic-resource-allocation endpointslice
  externaljwt kms kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils
  pod-security-admission sample-apiserver sample-cli-plugin sample-controller)
{
  echo "module kuma.local/kube-apiserver-build"
  echo
  echo "go 1.23"
  echo
  echo "require k8s.io/kubernetes v$K8S_VERSION"
  echo
  echo "replace ("
  for m in "${staging[@]}"; do echo "	k8s.io/$m => k8s.io/$m $STAGING_VERSION"; done
  echo ")"
} >"$mod/go.mod"
cat >"$mod/tools.go" <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO
cd "$mod"
start=$(date +%s)
GOFLAGS=-mod=mod go mod tidy >&2
# The version the binary reports (kube-apiserver --version) comes from ldflags, as Kubernetes' own build sets it.
GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/client-go/pkg/version.gitVersion=v$K8S_VERSION" \
  -o "$bin" k8s.io/kubernetes/cmd/kube-apiserver
echo "build-kube-apiserver: built $bin in $(( $(date +%s) - start ))s" >&2
echo "$bin"
