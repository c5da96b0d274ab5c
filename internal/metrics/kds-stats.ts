/**
 * KDS stats on the providing side of a delta stream (the global toward a
 * zone, a zone toward the global): kds_delta_requests_received,
 * kds_delta_responses_sent and kds_delta_delivery from the DeltaSender's
 * stat events, kds_delta_generation around a refresh. Without metrics each
 * helper returns what it was given, so the KDS code reads the same.
 */
import type { StatEvent } from '../kds/delta-sender';
import type { CpMetrics } from './cp-metrics';

type OnStat = (type: string, event: StatEvent, detail?: string) => void;

/**
 * Wraps one stream's onStat: every response counts, and the first response
 * of a type not yet confirmed starts its delivery clock, stopped by the
 * peer's ACK or NACK.
 */
export function withKdsStats(metrics: CpMetrics | undefined, onStat: OnStat): OnStat {
  if (!metrics) return onStat;
  const stats = metrics.kds;
  const sentAt = new Map<string, number>();
  return (type, event, detail) => {
    if (event === 'sent') {
      stats.responded(type);
      if (!sentAt.has(type)) sentAt.set(type, performance.now());
    } else {
      stats.confirmed(type, event === 'ack' ? 'ACK' : 'NACK');
      const t = sentAt.get(type);
      if (t !== undefined) {
        sentAt.delete(type);
        stats.delivered(performance.now() - t);
      }
    }
    onStat(type, event, detail);
  };
}

/** Runs one KDS refresh of a peer, observing its duration (or counting its failure). */
export function timedKdsRefresh(metrics: CpMetrics | undefined, refresh: () => void): void {
  if (!metrics) return refresh();
  const t0 = performance.now();
  try {
    refresh();
  } catch (e) {
    metrics.kdsGenerationErrors.inc();
    throw e;
  }
  metrics.kdsGeneration.observe(performance.now() - t0);
}
