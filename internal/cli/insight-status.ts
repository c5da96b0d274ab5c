/**
 * Status rules shared by the inspect tables (spec §1.4, §1.6, §1.7; Kuma
 * dataplane_overview_helpers.go, zone_insight_helpers.go). Pure functions of
 * REST JSON objects.
 */

type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

export function subscriptionsOf(insight: unknown): Obj[] {
  const subs = obj(insight).subscriptions;
  return Array.isArray(subs) ? subs.map(obj) : [];
}

/** Online = some subscription is connected and not disconnected. */
export function isOnline(insight: unknown): boolean {
  return subscriptionsOf(insight).some((s) => !!s.connectTime && !s.disconnectTime);
}

/** The current subscription: the last one appended. */
export function lastSubscription(insight: unknown): Obj {
  const subs = subscriptionsOf(insight);
  return subs[subs.length - 1] ?? {};
}

export type ProxyStatus = 'Online' | 'Offline' | 'Partially degraded';

/**
 * A dataplane's status and the notes explaining it. Gateways are Online when
 * connected. Otherwise inbounds count (Ignored ones do not): none ready is
 * Offline, some is Partially degraded; a proxy with no inbound at all is
 * Online once connected.
 */
export function dataplaneStatus(dataplane: unknown, insight: unknown): { status: ProxyStatus; notes: string[] } {
  const online = isOnline(insight);
  const net = obj(obj(dataplane).networking);
  if (net.gateway) return { status: online ? 'Online' : 'Offline', notes: [] };
  const notes: string[] = [];
  let total = 0;
  let ready = 0;
  for (const raw of Array.isArray(net.inbound) ? net.inbound : []) {
    const inbound = obj(raw);
    if (inbound.state === 'Ignored') continue;
    total++;
    const health = inbound.health;
    const notReady = (health !== undefined && health !== null && obj(health).ready !== true) || inbound.state === 'NotReady';
    if (notReady) {
      notes.push(`inbound[port=${inbound.port ?? 0},svc=${obj(inbound.tags)['kuma.io/service'] ?? ''}] is not ready`);
    } else {
      ready++;
    }
  }
  if (!online) return { status: 'Offline', notes };
  if (total === 0) return { status: 'Online', notes: [] };
  if (ready === 0) return { status: 'Offline', notes };
  if (ready < total) return { status: 'Partially degraded', notes };
  return { status: 'Online', notes: [] };
}

/** ServiceInsight status values as `inspect services` prints them. */
export function serviceStatus(status: unknown): ProxyStatus {
  if (status === 'online') return 'Online';
  if (status === 'partially_degraded') return 'Partially degraded';
  return 'Offline';
}
