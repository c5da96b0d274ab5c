/**
 * `GET /meshes/{mesh}/{typePath}/{name}/_propagation` and, for global-scoped
 * types, `GET /{typePath}/{name}/_propagation` (global CP only): where a
 * resource stands. The global's store version; per zone, whether the global
 * sent it and the zone ACKed it (or why not: offline, disabled, filtered out,
 * NACKed); per zone, the proxies it affects and whether each ACKed an xDS
 * config holding it, asked of the zone over its KDS envoy-admin stream.
 *
 * Cost: one store read, one ledger lookup and one zone question per zone; no
 * scan over the resources of a type.
 */
import type { Resource } from '../resources/model';
import type { ResourceDescriptor } from '../resources/registry';
import { ForwardError } from '../kds/global/envoy-admin-forwarder';
import { typesGlobalToZone } from '../kds/filters';
import { zonePropagation, type LastSubscription, type ZonePropagation } from '../kds/global/propagation-status';
import type { ProxyPropagation } from '../xds/sync/proxy-propagation';
import type { ApiDeps } from './deps';
import { HttpError, sendFailure, sendJson } from './http-util';
import { assertAccess } from './resource-endpoints';
import type { RequestContext, Router } from './router';

const TITLE = 'Could not get the propagation status';

export interface ZoneRow extends ZonePropagation {
  proxies?: { total: number; acked: number; items: ProxyPropagation['proxies'] };
  /** Why the proxies column is empty: the zone could not be asked, or it could not say. */
  proxiesNote?: string;
}

export function registerPropagationEndpoints(router: Router, deps: ApiDeps): void {
  for (const d of typesGlobalToZone(deps.registry)) {
    for (const path of [d.path, ...d.altPaths]) {
      if (d.scope === 'Mesh') router.add('GET', `/meshes/:mesh/${path}/:name/_propagation`, (c) => serve(deps, d, c, c.params.mesh!));
      else router.add('GET', `/${path}/:name/_propagation`, (c) => serve(deps, d, c, ''));
    }
  }
}

async function serve(deps: ApiDeps, d: ResourceDescriptor, c: RequestContext, mesh: string): Promise<void> {
  try {
    assertAccess(deps, d, c);
    if (!deps.syncViews) throw new HttpError(400, TITLE, 'propagation is known on the global control plane only (it is the one that sends resources to zones)');
    const r = deps.store.get({ type: d.name, mesh, name: c.params.name! });
    if (!r) throw new HttpError(404, TITLE, 'Not found');
    const zones = deps.store.list('Zone').items;
    const enabled = (z: string) => deps.store.get({ type: 'Zone', mesh: '', name: z })?.spec.enabled !== false;
    const rows = await Promise.all(zones.map((z) => zoneRow(deps, d, r, z.name, enabled)));
    sendJson(c.res, 200, {
      resource: { type: r.type, mesh: r.mesh, name: r.name, version: r.version, modificationTime: r.modificationTime },
      zones: rows,
    });
  } catch (e) {
    sendFailure(c.res, e, TITLE);
  }
}

async function zoneRow(deps: ApiDeps, d: ResourceDescriptor, r: Resource, zone: string, enabled: (z: string) => boolean): Promise<ZoneRow> {
  const view = deps.syncViews!.get(zone);
  const row: ZoneRow = zonePropagation(d, r, zone, enabled(zone), view, { isEnabled: enabled }, view ? undefined : lastSubscription(deps, zone), deps.instanceId);
  if (!row.zoneName || !deps.adminForwarder) return row;
  if (!row.synced) {
    row.proxiesNote = 'the zone does not hold this version yet';
    return row;
  }
  try {
    const body = await deps.adminForwarder.request(zone, 'configDump', { resourceType: d.name, resourceName: '', resourceMesh: r.mesh, propagation: { type: d.name, mesh: r.mesh, name: row.zoneName } });
    const answer = JSON.parse(body.toString('utf8')) as ProxyPropagation;
    if (!answer.found) row.proxiesNote = `zone "${zone}" does not store ${d.name} "${row.zoneName}" (it ACKed it; it may be applying it)`;
    else {
      row.proxies = { total: answer.proxies.length, acked: answer.proxies.filter((p) => p.state === 'ACKed').length, items: answer.proxies };
      if (answer.note) row.proxiesNote = answer.note;
    }
  } catch (e) {
    if (!(e instanceof ForwardError)) throw e;
    row.proxiesNote = e.message;
  }
  return row;
}

/** The zone's last KDS subscription, from its ZoneInsight (one read). */
function lastSubscription(deps: ApiDeps, zone: string): LastSubscription | undefined {
  const subs = (deps.store.get({ type: 'ZoneInsight', mesh: '', name: zone })?.spec.subscriptions ?? []) as LastSubscription[];
  return subs[subs.length - 1];
}
