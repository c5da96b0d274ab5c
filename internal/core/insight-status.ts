/** Online rules shared by insights: a subscription connected and not disconnected (Kuma IsOnline). */
import type { Spec } from '../resources/model';

interface Subscription {
  connectTime?: string;
  disconnectTime?: string;
}

export function subscriptions(insight: Spec | undefined): Subscription[] {
  const s = insight?.subscriptions;
  return Array.isArray(s) ? (s as Subscription[]) : [];
}

export function isOnline(insight: Spec | undefined): boolean {
  return subscriptions(insight).some((s) => !!s.connectTime && !s.disconnectTime);
}

interface InsightReader {
  get(k: { type: string; mesh: string; name: string }): { spec: Spec } | undefined;
}

/**
 * Whether the zone a synced resource came from is reachable: its Zone is
 * enabled and its ZoneInsight has a live subscription. True where there is
 * no ZoneInsight for it (a zone CP looking at its own resources).
 */
export function originZoneOnline(store: InsightReader, labels: Record<string, string>): boolean {
  const zone = labels['kuma.io/zone'];
  if (labels['kuma.io/origin'] !== 'zone' || !zone) return true;
  const zi = store.get({ type: 'ZoneInsight', mesh: '', name: zone });
  if (!zi) return true;
  const enabled = store.get({ type: 'Zone', mesh: '', name: zone })?.spec.enabled !== false;
  return enabled && isOnline(zi.spec);
}

/**
 * The insight to report for a resource: a copy synced from a zone that is
 * now offline is never shown Online (Kuma #7027), whatever its last synced
 * insight said; its open subscriptions are reported as disconnected.
 */
export function effectiveInsight(store: InsightReader, labels: Record<string, string>, insight: Spec | undefined): Spec | undefined {
  if (!insight || originZoneOnline(store, labels)) return insight;
  const zi = store.get({ type: 'ZoneInsight', mesh: '', name: labels['kuma.io/zone']! });
  const zsubs = subscriptions(zi?.spec);
  const lastSeen = zsubs[zsubs.length - 1]?.disconnectTime ?? new Date().toISOString();
  return { ...insight, subscriptions: subscriptions(insight).map((s) => (s.disconnectTime ? s : { ...s, disconnectTime: lastSeen })) };
}
