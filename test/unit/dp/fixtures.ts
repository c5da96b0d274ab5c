/**
 * Shared pieces of the dp tests: a fake Envoy *process* (a shell script, for
 * the supervisor's state machine only), an in-memory pino, free ports.
 * The real Envoy comes from test/support/envoy.ts.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';

export const ROOT = resolve(__dirname, '../../..');

export function tempDir(prefix = 'kuma-dp-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface LogRecord {
  level: number;
  component?: string;
  msg: string;
  [k: string]: unknown;
}

/** A pino logger whose records land in `records`, parsed. */
export function memoryLogger(component: string): { log: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const log = pino({ level: 'trace', base: undefined }, { write: (s: string) => void records.push(JSON.parse(s) as LogRecord) }).child({ component });
  return { log, records };
}

/**
 * A stand-in for the Envoy process. Each run appends "<pid> <args>" to
 * $FAKE_ENVOY_RUNS, logs in Envoy's format on stderr, then by $FAKE_ENVOY_MODE:
 *   run (default)   run until SIGTERM, log it and exit 0
 *   crash           exit 3 at once, after a critical line
 *   crash-twice     exit 3 on the first two runs, then like run
 *   crash-after     run $FAKE_ENVOY_UPTIME seconds, then exit 3
 *   ignore-term     ignore SIGTERM (only SIGKILL stops it)
 */
export function writeFakeEnvoy(dir: string): string {
  const p = join(dir, 'fake-envoy.sh');
  writeFileSync(
    p,
    `#!/bin/sh
if [ "$1" = "--version" ]; then echo "$0  version: 0123456789abcdef0123456789abcdef01234567/1.40.0/Clean/RELEASE/BoringSSL"; exit 0; fi
log() { echo "[2026-01-01 00:00:00.000][$$][$1][main] [source/server/server.cc:1] $2" >&2; }
# Signal handling is set up before the run is recorded, so a test that saw the run can signal it.
if [ "$FAKE_ENVOY_MODE" = "ignore-term" ]; then trap '' TERM; else trap 'log info "caught SIGTERM"; exit 0' TERM; fi
echo "$$ $*" >> "$FAKE_ENVOY_RUNS"
n=$(wc -l < "$FAKE_ENVOY_RUNS")
log info "fake envoy run $n starting"
echo "stdout line of run $n"
case "$FAKE_ENVOY_MODE" in
  crash) log critical "boom"; echo "  continuation of boom" >&2; exit 3 ;;
  crash-twice) if [ "$n" -le 2 ]; then log error "failing run $n"; exit 3; fi ;;
  crash-after) sleep "$FAKE_ENVOY_UPTIME"; exit 3 ;;
esac
while true; do sleep 0.02; done
`,
  );
  chmodSync(p, 0o755);
  return p;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An Envoy bootstrap needing no control plane: an admin and one listener answering "hello from envoy". */
export function staticBootstrap(adminPort: number, listenerPort: number): string {
  return `admin:
  address: { socket_address: { address: 127.0.0.1, port_value: ${adminPort} } }
static_resources:
  listeners:
  - name: hello
    address: { socket_address: { address: 127.0.0.1, port_value: ${listenerPort} } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: hello
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes: [ { match: { prefix: "/" }, direct_response: { status: 200, body: { inline_string: "hello from envoy" } } } ]
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
`;
}
