/**
 * The singleton components of a CP cluster, run only while this instance
 * leads: started in order when it becomes the leader, stopped in reverse when
 * it stops leading. A component that fails to start is retried while the
 * instance still leads (the database may be coming back).
 */
import type { Logger } from 'pino';
import type { LeaderElector } from './leader-elector';

export type Stop = () => Promise<void> | void;

export interface Singleton {
  name: string;
  /** Starts the component; returns its stop (a one-shot task returns nothing). */
  start: () => Promise<Stop | void> | Stop | void;
}

export interface LeaderGroup {
  /** Names of the singletons running now. */
  running(): string[];
  /** Resolves when the transitions requested so far are done. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export function startLeaderGroup(elector: LeaderElector, singletons: Singleton[], log: Logger, retryMs = 1000): LeaderGroup {
  let stops: { name: string; stop?: Stop }[] = [];
  let chain: Promise<void> = Promise.resolve();
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const serial = (fn: () => Promise<void>) => (chain = chain.then(fn).catch((e) => log.error({ err: e }, 'leader group transition failed')));

  const startMissing = async () => {
    for (const s of singletons) {
      if (!elector.isLeader() || closed) return;
      if (stops.some((x) => x.name === s.name)) continue;
      try {
        const stop = await s.start();
        stops.push({ name: s.name, stop: stop || undefined });
      } catch (e) {
        log.error({ component: s.name, err: (e as Error).message }, 'a leader component failed to start; retrying');
        clearTimeout(retry);
        retry = setTimeout(() => serial(startMissing), retryMs);
        return;
      }
    }
  };
  const stopAll = async () => {
    clearTimeout(retry);
    const current = stops;
    stops = [];
    for (const s of current.reverse()) {
      try {
        await s.stop?.();
      } catch (e) {
        log.error({ component: s.name, err: e }, 'a leader component failed to stop');
      }
    }
  };
  const off = elector.onChange((leader) => serial(leader ? startMissing : stopAll));
  if (elector.isLeader()) serial(startMissing);
  return {
    running: () => stops.map((s) => s.name),
    settled: () => chain,
    async stop() {
      closed = true;
      off();
      serial(stopAll);
      await chain;
    },
  };
}
