#!/usr/bin/env bash
# The product's main job at this stage: a standalone control plane on this
# machine, answered by `kuma get meshes`. Leaves the CP running in the
# foreground until Ctrl-C; state lives in .kuma-run/ (LevelDB).
set -euo pipefail
cd "$(dirname "$0")/.."
KUMA=$PWD/dist/kuma
WORK=${KUMA_RUN_DIR:-$PWD/.kuma-run}
API_PORT=${KUMA_API_SERVER_HTTP_PORT:-5681}
mkdir -p "$WORK"
export KUMA_GENERAL_WORK_DIR=$WORK KUMA_API_SERVER_HTTP_PORT=$API_PORT KUMA_API_SERVER_HTTP_INTERFACE=127.0.0.1
"$KUMA" control-plane run >"$WORK/cp.log" 2>&1 &
CP=$!
trap 'kill $CP 2>/dev/null; wait $CP 2>/dev/null' EXIT INT TERM
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:${KUMA_DIAGNOSTICS_SERVER_PORT:-5680}/ready" >/dev/null 2>&1 && break
  kill -0 $CP 2>/dev/null || { cat "$WORK/cp.log"; exit 1; }
  sleep 0.1
done
export HOME=$WORK
"$KUMA" config control-planes add --name local-run --address "http://127.0.0.1:$API_PORT" --overwrite >/dev/null
echo "== kuma get meshes"
"$KUMA" get meshes
echo
echo "Control plane running: API http://127.0.0.1:$API_PORT, logs $WORK/cp.log. Ctrl-C stops it."
wait $CP
