#!/usr/bin/env bash
# CI smoke test of the release tarball: unpack it into a temp folder, start a
# global and a federated zone control plane from it (the zone with a zone
# token the global signs), apply a Mesh and a policy on the global, see the
# policy reach the zone and the zone Online on the global, stop both cleanly.
# Exits 0 only if every step worked. Every port is a free one picked at start.
#
#   scripts/smoke.sh [TARBALL]     (default: dist/kuma-<version>-linux-x64.tar.gz)
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p 'require("./package.json").version')
tarball=${1:-dist/kuma-${version}-linux-x64.tar.gz}
timeout_s=${SMOKE_TIMEOUT_S:-90}

step() { printf 'smoke: %s\n' "$*"; }
fail() {
  printf 'smoke: FAILED: %s\n' "$*" >&2
  for log in "$tmp"/global.log "$tmp"/zone.log; do
    [ -f "$log" ] && { printf -- '--- last lines of %s\n' "$log" >&2; tail -n 20 "$log" >&2; }
  done
  exit 1
}

[ -f "$tarball" ] || { echo "smoke: no tarball $tarball (run npm run package)" >&2; exit 1; }
[ -f "$tarball.sha256" ] || { echo "smoke: no checksum file $tarball.sha256" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kuma-smoke.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

step "checking $(basename "$tarball") against its SHA-256"
(cd "$(dirname "$tarball")" && sha256sum -c --quiet "$(basename "$tarball").sha256") || fail "checksum mismatch"
tar -xzf "$tarball" -C "$tmp"
bin="$tmp/kuma-${version}/bin"
[ -x "$bin/kuma" ] && [ -L "$bin/kumactl" ] || fail "the tarball has no bin/kuma and bin/kumactl link"
for f in LICENSE README.md completions/kuma.bash completions/kuma.zsh completions/kuma.fish; do
  [ -s "$tmp/kuma-${version}/$f" ] || fail "the tarball has no $f"
done
client_version=$("$bin/kumactl" version 2>/dev/null | head -1)
case "$client_version" in *"$version"*) ;; *) fail "kumactl version does not say $version (said: $client_version)" ;; esac

# Ten free loopback ports (bound and released by the kernel's choice).
read -r -a ports <<<"$(node -e '
const net = require("net");
const got = [];
(function next() {
  if (got.length === 10) return console.log(got.join(" "));
  const s = net.createServer().listen(0, "127.0.0.1", () => { got.push(s.address().port); s.close(next); });
})();')"
g_api=${ports[0]} g_https=${ports[1]} g_diag=${ports[2]} g_kds=${ports[3]} g_dp=${ports[4]}
z_api=${ports[5]} z_https=${ports[6]} z_diag=${ports[7]} z_dp=${ports[8]}

# GET http://127.0.0.1:PORT/PATH answers 200 (bash only: no curl on a bare machine).
http_ok() {
  local status
  status=$(exec 3<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null && printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3 && head -n 1 <&3) || return 1
  [[ $status == *" 200"* ]]
}
# Retries a command until it succeeds or timeout_s passes.
eventually() {
  local what=$1; shift
  local deadline=$((SECONDS + timeout_s))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "$what (after ${timeout_s}s)"
    sleep 0.5
  done
}
cp_env() { # DIR API HTTPS DIAG DP
  echo HOME="$1/home" KUMA_GENERAL_WORK_DIR="$1" KUMA_API_SERVER_HTTP_INTERFACE=127.0.0.1 KUMA_API_SERVER_HTTP_PORT="$2" \
    KUMA_API_SERVER_HTTPS_INTERFACE=127.0.0.1 KUMA_API_SERVER_HTTPS_PORT="$3" KUMA_DIAGNOSTICS_SERVER_PORT="$4" KUMA_DP_SERVER_PORT="$5"
}
mkdir -p "$tmp/global/home" "$tmp/zone/home" "$tmp/kumactl"

step "starting the global control plane (API :$g_api, KDS :$g_kds)"
# shellcheck disable=SC2046
env $(cp_env "$tmp/global" "$g_api" "$g_https" "$g_diag" "$g_dp") KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT="$g_kds" \
  "$bin/kuma" control-plane run --mode=global >"$tmp/global.log" 2>&1 &
g_pid=$!; pids+=("$g_pid")
eventually "the global to be ready" http_ok "$g_diag" /ready

global() { HOME="$tmp/kumactl" "$bin/kumactl" --config-file "$tmp/kumactl/global.config" "$@"; }
zone() { HOME="$tmp/kumactl" "$bin/kumactl" --config-file "$tmp/kumactl/zone.config" "$@"; }
HOME="$tmp/kumactl" "$bin/kumactl" config control-planes add --config-file "$tmp/kumactl/global.config" --name global --address "http://127.0.0.1:$g_api" >/dev/null \
  || fail "kumactl config control-planes add (global)"

step "generating a zone token on the global"
global generate zone-token --zone zone-1 --scope cp --valid-for 1h >"$tmp/zone.token" || fail "kumactl generate zone-token"
[ -s "$tmp/zone.token" ] || fail "empty zone token"

step "starting zone control plane zone-1 (API :$z_api), federated over grpcs with the token"
# shellcheck disable=SC2046
env $(cp_env "$tmp/zone" "$z_api" "$z_https" "$z_diag" "$z_dp") KUMA_MULTIZONE_ZONE_KDS_ROOT_CA_FILE="$tmp/global/kuma-cp.crt" \
  "$bin/kuma" control-plane run --mode=zone --zone zone-1 --kds-global-address "grpcs://127.0.0.1:$g_kds" --kds-auth-token-file "$tmp/zone.token" >"$tmp/zone.log" 2>&1 &
z_pid=$!; pids+=("$z_pid")
eventually "the zone to be ready" http_ok "$z_diag" /ready
HOME="$tmp/kumactl" "$bin/kumactl" config control-planes add --config-file "$tmp/kumactl/zone.config" --name zone --address "http://127.0.0.1:$z_api" >/dev/null \
  || fail "kumactl config control-planes add (zone)"

zone_online() { global inspect zones | grep -Eq '^zone-1 +Online'; }
step "waiting for zone-1 to be Online on the global"
eventually "zone-1 to be Online on the global (kumactl inspect zones)" zone_online

step "applying Mesh smoke and MeshTrafficPermission allow-all on the global"
cat >"$tmp/mesh.yaml" <<'YAML'
type: Mesh
name: smoke
YAML
cat >"$tmp/policy.yaml" <<'YAML'
type: MeshTrafficPermission
name: allow-all
mesh: smoke
spec:
  targetRef:
    kind: Mesh
  from:
    - targetRef:
        kind: Mesh
      default:
        action: Allow
YAML
global apply -f "$tmp/mesh.yaml" || fail "kumactl apply Mesh"
global apply -f "$tmp/policy.yaml" || fail "kumactl apply MeshTrafficPermission"

policy_in_zone() { zone get meshtrafficpermissions -m smoke -o yaml | grep -q 'allow-all'; }
step "waiting for the policy to reach zone-1"
eventually "MeshTrafficPermission allow-all to reach zone-1" policy_in_zone
zone get meshes | grep -q '^smoke ' || fail "Mesh smoke is not in zone-1"

step "stopping both control planes"
kill -TERM "$z_pid" "$g_pid"
z_rc=0; g_rc=0
wait "$z_pid" || z_rc=$?
wait "$g_pid" || g_rc=$?
pids=()
[ "$z_rc" -eq 0 ] || fail "the zone exited $z_rc on SIGTERM"
[ "$g_rc" -eq 0 ] || fail "the global exited $g_rc on SIGTERM"
step "OK: global + zone from $(basename "$tarball"): zone Online, policy synced, clean stop"
