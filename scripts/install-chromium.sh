#!/usr/bin/env bash
# Installs Debian's chromium for the web UI tests (test/e2e/gui*.test.ts drive it with
# playwright-core). Idempotent: does nothing when a chromium is already on PATH.
set -euo pipefail
for c in chromium chromium-browser; do
  if command -v "$c" >/dev/null 2>&1; then exit 0; fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null
