/**
 * `kuma lab down` (and the cleanup of a failed or stale `up`): stops every
 * process of a lab by process group. The kuma processes get SIGTERM (a
 * `kuma dp run` then drains and stops its Envoy, which runs in a group of
 * its own); whatever is left after the timeout, Envoys included, gets
 * SIGKILL. Lab processes whose pid is not in lab.json (an Envoy whose
 * `kuma dp run` is gone, a process of an interrupted `up`) are found by
 * their working directory, the lab dir, and stopped too.
 */
import { descendants, findLabProcesses, isAlive, stopAll, type Target } from './spawn';
import type { LabState } from './state';

/**
 * Every process of the lab still running: proxies and apps (stage 0) with
 * what runs under them or was left behind, then the control planes (stage
 * 1), so proxies disconnect before their control plane goes.
 */
export function labTargets(s: LabState): Target[] {
  const seen = new Set<number>();
  const targets: Target[] = [];
  const add = (t: Target) => {
    if (seen.has(t.pid) || !isAlive(t.pid, t.startTime)) return;
    seen.add(t.pid);
    targets.push(t);
  };
  const stageOf = (kind: string) => (kind.endsWith('-cp') ? 1 : 0);
  for (const c of s.components) {
    const stage = stageOf(c.kind);
    add({ pid: c.pid, startTime: c.startTime, group: true, term: true, stage });
    // Envoy runs in a group of its own under `kuma dp run`, which stops it on SIGTERM; SIGKILL only if it lingers.
    if (isAlive(c.pid, c.startTime)) for (const d of descendants(c.pid)) add({ pid: d.pid, startTime: d.startTime, group: false, term: false, stage });
  }
  // Children recorded at start whose parent is gone (an Envoy left behind) get SIGTERM themselves.
  for (const c of s.components) for (const d of c.children ?? []) add({ pid: d.pid, startTime: d.startTime, group: true, term: true, stage: 0 });
  // Processes of the lab whose pid was never recorded (an interrupted `up`) or that outlived their parent.
  const programs = [...new Set(s.components.map((c) => c.command[0]!))];
  for (const e of findLabProcesses(s.dir, programs)) add({ pid: e.pid, startTime: e.startTime, group: true, term: true, stage: 0 });
  return targets;
}

/** Stops the lab; returns the pids still alive afterwards (none, normally). */
export async function stopLab(s: LabState, timeoutMs: number, onKill?: (pids: number[]) => void): Promise<number[]> {
  return stopAll(labTargets(s), timeoutMs, onKill);
}
