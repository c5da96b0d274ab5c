#!/usr/bin/env bash
# Installs PostgreSQL (Debian `postgresql`) for the postgres store tests, which
# start throw-away clusters with initdb + pg_ctl. Idempotent; fast when present.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
echo "== installing PostgreSQL (apt-get install postgresql)"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
# The packaged cluster is not used by the tests.
$SUDO systemctl disable --now postgresql >/dev/null 2>&1 || true
ls /usr/lib/postgresql/*/bin/initdb >/dev/null
