/**
 * `_overview` list filters beyond Kuma's (for the web UI, usable by any
 * client): `status=online|offline` (the effective insight: a copy behind an
 * Offline zone is offline; a disabled Zone is offline) and `zone=<name>` (the resource's `kuma.io/zone`
 * label, or for a Dataplane the `kuma.io/zone` tag of an inbound). Each is one
 * O(1) check per listed resource, inside the store's single list pass.
 */
import { effectiveInsight, isOnline } from '../core/insight-status';
import type { Resource } from '../resources/model';
import type { ResourceDescriptor } from '../resources/registry';
import type { ApiDeps } from './deps';
import { dataplaneFilter } from './dataplane-filters';
import { HttpError } from './http-util';

function inZone(r: Resource, zone: string): boolean {
  if (r.labels['kuma.io/zone'] === zone) return true;
  if (r.type === 'ZoneIngress' || r.type === 'ZoneEgress') return r.spec.zone === zone;
  const inbound = (r.spec.networking as { inbound?: { tags?: Record<string, string> }[] } | undefined)?.inbound;
  return !!inbound?.some((i) => i.tags?.['kuma.io/zone'] === zone);
}

export function overviewFilter(deps: ApiDeps, d: ResourceDescriptor, q: URLSearchParams, title: string): ((r: Resource) => boolean) | undefined {
  const checks: ((r: Resource) => boolean)[] = [];
  const dp = d.name === 'Dataplane' ? dataplaneFilter(q, title) : undefined;
  if (dp) checks.push(dp);
  const status = q.get('status');
  if (status !== null && status !== '') {
    if (status !== 'online' && status !== 'offline') {
      throw new HttpError(400, title, `status must be "online" or "offline", not "${status}"`, [{ field: 'status', message: 'must be "online" or "offline"' }]);
    }
    const want = status === 'online';
    // A disabled Zone is offline whatever its link says (as /status/zones reports it).
    const enabled = (r: Resource) => d.name !== 'Zone' || r.spec.enabled !== false;
    checks.push((r) => (enabled(r) && isOnline(effectiveInsight(deps.store, r.labels, deps.store.get({ type: d.insightType!, mesh: r.mesh, name: r.name })?.spec))) === want);
  }
  const zone = q.get('zone');
  if (zone) checks.push((r) => inZone(r, zone));
  if (!checks.length) return undefined;
  return (r) => checks.every((c) => c(r));
}
