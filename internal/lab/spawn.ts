/**
 * Lab processes: started detached (each leads its own process group, so a
 * Ctrl-C in the terminal of `kuma lab up` does not reach them and `down` can
 * signal a whole group), with stdout and stderr appended to one log file,
 * and stopped by process group: SIGTERM, then SIGKILL after a timeout.
 * Liveness reads /proc where there is one, so zombies count as dead and a
 * pid reused by another program is not taken for a lab process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export interface Spawned {
  pid: number;
  startTime?: string;
  proc: ChildProcess;
  /** Resolves with a description once the process exits. */
  exited: Promise<string>;
}

/** The command line that runs this very binary: the SEA executable, or node with its script in development. */
export function selfCommand(): string[] {
  let sea = false;
  try {
    // node:sea exists from Node 20.12; createRequire keeps esbuild from resolving it (as in internal/native).
    sea = (createRequire(__filename)('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    sea = false;
  }
  if (sea || !process.argv[1]) return [process.execPath];
  return [process.execPath, ...process.execArgv, process.argv[1]];
}

/** The caller's environment without KUMA_* settings (they would reconfigure lab processes), plus `extra`. */
export function childEnvironment(extra: Record<string, string>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (k.startsWith('KUMA_') && k !== 'KUMA_NATIVE_CACHE') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export function spawnDetached(command: string[], opts: { env: NodeJS.ProcessEnv; cwd: string; log: string }): Spawned {
  mkdirSync(dirname(opts.log), { recursive: true });
  const fd = openSync(opts.log, 'a');
  try {
    writeSync(fd, `\n=== kuma lab: ${new Date().toISOString()} ${command.map(quote).join(' ')}\n`);
    const proc = spawn(command[0]!, command.slice(1), { detached: true, stdio: ['ignore', fd, fd], env: opts.env, cwd: opts.cwd });
    const exited = new Promise<string>((res) => {
      proc.once('exit', (code, signal) => res(signal ? `was killed by ${signal}` : `exited with code ${code}`));
      proc.once('error', (e) => res(`could not be started: ${e.message}`));
    });
    proc.unref();
    const pid = proc.pid ?? -1;
    return { pid, startTime: pid > 0 ? procStartTime(pid) : undefined, proc, exited };
  } finally {
    closeSync(fd);
  }
}

function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const HAS_PROC = existsSync('/proc/self/stat');

/** Fields of /proc/PID/stat after the command name: [state, ppid, pgrp, ...]; undefined when gone. */
function procStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Start time (clock ticks since boot) of a pid, Linux only. */
export function procStartTime(pid: number): string | undefined {
  return HAS_PROC ? procStat(pid)?.[19] : undefined;
}

/** Alive: exists, is not a zombie, and (when known) started when we recorded. */
export function isAlive(pid: number, startTime?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (HAS_PROC) {
    const st = procStat(pid);
    if (!st) return false;
    if (st[0] === 'Z' || st[0] === 'X') return false;
    return startTime === undefined || st[19] === startTime;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every live descendant of `pid` (Linux; empty elsewhere), with start times. */
export function descendants(pid: number): { pid: number; startTime?: string }[] {
  if (!HAS_PROC) return [];
  const children = new Map<number, number[]>();
  const starts = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = procStat(Number(entry));
    if (!st) continue;
    const ppid = Number(st[1]);
    starts.set(Number(entry), st[19]!);
    (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(Number(entry));
  }
  const out: { pid: number; startTime?: string }[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length) {
    const p = queue.shift()!;
    out.push({ pid: p, startTime: starts.get(p) });
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

/**
 * Processes (Linux) working in `dir` (every lab process runs there, Envoys
 * included) whose program is one of `programs` or an Envoy: what is left of
 * a lab even when its pids were not recorded. A shell `cd`ed into the lab
 * dir does not qualify.
 */
export function findLabProcesses(dir: string, programs: string[]): { pid: number; startTime?: string }[] {
  if (!HAS_PROC) return [];
  const out: { pid: number; startTime?: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let argv0: string;
    let cwd: string;
    try {
      cwd = readlinkSync(`/proc/${entry}/cwd`);
      argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '';
    } catch {
      continue;
    }
    if (cwd !== dir || !(programs.includes(argv0) || /(^|\/)envoy$/.test(argv0))) continue;
    const pid = Number(entry);
    if (isAlive(pid)) out.push({ pid, startTime: procStartTime(pid) });
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    // gone already, or not ours to signal
  }
}

export interface Target {
  pid: number;
  startTime?: string;
  /** Signal the whole process group (the process leads it). */
  group: boolean;
  /** Gets SIGTERM first; otherwise only the SIGKILL after the timeout (its parent stops it). */
  term: boolean;
  /** Stages stop one after the other, lowest first (default 0). */
  stage?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops targets stage by stage (stage 0 first): SIGTERM to every target of
 * the stage that takes it (its group when it leads one), wait up to
 * `timeoutMs` for all of the stage to be gone, then SIGKILL what is left and
 * wait again. Returns the pids still alive at the end (none, normally).
 */
export async function stopAll(targets: Target[], timeoutMs: number, onKill?: (pids: number[]) => void): Promise<number[]> {
  const stages = [...new Set(targets.map((t) => t.stage ?? 0))].sort((a, b) => a - b);
  for (const stage of stages) await stopStage(targets.filter((t) => (t.stage ?? 0) === stage), timeoutMs, onKill);
  return targets.filter((t) => isAlive(t.pid, t.startTime)).map((t) => t.pid);
}

async function stopStage(targets: Target[], timeoutMs: number, onKill?: (pids: number[]) => void): Promise<void> {
  const alive = () => targets.filter((t) => isAlive(t.pid, t.startTime));
  for (const t of alive()) if (t.term) signal(t.pid, 'SIGTERM', t.group);
  const deadline = Date.now() + timeoutMs;
  while (alive().length && Date.now() < deadline) await sleep(50);
  const left = alive();
  if (left.length === 0) return;
  onKill?.(left.map((t) => t.pid));
  for (const t of left) {
    signal(t.pid, 'SIGKILL', t.group);
    signal(t.pid, 'SIGKILL', false);
  }
  const killDeadline = Date.now() + 3000;
  while (alive().length && Date.now() < killDeadline) await sleep(50);
}
