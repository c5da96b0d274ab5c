#!/usr/bin/env bash
# Installs iptables (Debian `iptables`) for the transparent-proxy e2e test, which redirects a
# client's outbound TCP to Envoy inside a network namespace it creates. Idempotent.
set -euo pipefail
if command -v iptables >/dev/null 2>&1; then
  exit 0
fi
echo "== installing iptables (apt-get install iptables)"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq iptables >/dev/null
command -v iptables >/dev/null
