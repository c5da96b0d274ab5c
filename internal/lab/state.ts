/**
 * `<lab dir>/lab.json`: everything `kuma lab status` and `kuma lab down`
 * need (pids, ports, URLs), written by `kuma lab up` after every process it
 * starts, so even an interrupted `up` leaves enough behind to clean up.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ComponentKind, LabPlan, Readiness } from './plan';

export const LAB_FILE = 'lab.json';
export const LAB_DIR_ENV = 'KUMA_LAB_DIR';
export const DEFAULT_LAB_DIR = '.kuma-lab';
export const STATE_VERSION = 1;

export interface ComponentState {
  name: string;
  kind: ComponentKind;
  zone?: string;
  /** Pid of the kuma process; it leads its own process group. */
  pid: number;
  /** Linux start time of the pid (/proc/PID/stat field 22), so a reused pid is never taken for ours. */
  startTime?: string;
  /** Processes found under it at start (Envoy runs in its own group). */
  children?: { pid: number; startTime?: string }[];
  log: string;
  ports: Record<string, number>;
  ready: Readiness;
  url?: string;
  command: string[];
}

export interface LabState {
  version: number;
  /** starting while `up` runs, up once everything was ready. */
  state: 'starting' | 'up';
  dir: string;
  startedAt: string;
  /** The kuma binary that started everything. */
  binary: string;
  envoyBinary: string;
  options: LabPlan['options'];
  ports: LabPlan['ports'];
  global: { apiUrl: string; kdsAddress: string; caCert: string };
  zones: { name: string; apiUrl: string; dpServerUrl: string }[];
  kumactlConfig: string;
  traffic: LabPlan['traffic'] & { curl: string };
  components: ComponentState[];
}

/** The lab directory: --dir, else $KUMA_LAB_DIR, else .kuma-lab in the current folder; always absolute. */
export function resolveLabDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const d = flag || env[LAB_DIR_ENV] || DEFAULT_LAB_DIR;
  return isAbsolute(d) ? d : resolve(cwd, d);
}

export function statePath(dir: string): string {
  return join(dir, LAB_FILE);
}

export function readState(dir: string): LabState | undefined {
  const file = statePath(dir);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}); remove it by hand if no lab process runs`);
  }
  const s = parsed as Partial<LabState>;
  if (!s || typeof s !== 'object' || s.version !== STATE_VERSION || !Array.isArray(s.components)) {
    throw new Error(`${file} is not a lab state this kuma understands (version ${String(s?.version)}); remove it by hand if no lab process runs`);
  }
  return s as LabState;
}

/** Atomic write: a temp file renamed over lab.json. */
export function writeState(s: LabState): void {
  mkdirSync(s.dir, { recursive: true });
  const file = statePath(s.dir);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(tmp, file);
}

export function removeState(dir: string): void {
  rmSync(statePath(dir), { force: true });
}
