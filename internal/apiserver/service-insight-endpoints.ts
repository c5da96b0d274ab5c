/**
 * ServiceInsight is stored as one record per mesh (`all-services-<mesh>`)
 * and expanded by the REST layer into one item per service (spec §1.8).
 */
import type { Resource } from '../resources/model';
import type { ApiDeps } from './deps';
import { sendFailure, sendJson } from './http-util';
import { nextLink, parsePage } from './pagination';
import type { RequestContext, Router } from './router';

const T_LIST = 'Could not list resources';
const DNS_DOMAIN = 'mesh';
const VIP_PORT = 80;

export function allServicesName(mesh: string): string {
  return `all-services-${mesh}`;
}

function expand(r: Resource | undefined, mesh: string): Record<string, unknown>[] {
  const services = (r?.spec.services ?? {}) as Record<string, Record<string, unknown>>;
  return Object.keys(services)
    .sort()
    .map((svc) => item(r!, mesh, svc, services[svc]!));
}

function item(r: Resource | undefined, mesh: string, svc: string, fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: 'ServiceInsight',
    mesh,
    name: svc,
    creationTime: r?.creationTime ?? '0001-01-01T00:00:00Z',
    modificationTime: r?.modificationTime ?? '0001-01-01T00:00:00Z',
    ...fields,
  };
  if (!fields.serviceType || fields.serviceType === 'internal') out.addressPort = `${svc}.${DNS_DOMAIN}:${VIP_PORT}`;
  return out;
}

export function registerServiceInsightEndpoints(router: Router, deps: ApiDeps): void {
  const listFor = (c: RequestContext, meshes: string[]) => {
    try {
      const page = parsePage(c.query, T_LIST);
      const name = c.query.get('name');
      const types = c.query.get('type')?.split(',').filter(Boolean);
      let items = meshes.flatMap((m) => expand(deps.store.get({ type: 'ServiceInsight', mesh: m, name: allServicesName(m) }), m));
      if (name) items = items.filter((i) => String(i.name).includes(name));
      if (types?.length) items = items.filter((i) => types.includes(String(i.serviceType ?? 'internal')));
      const pageItems = items.slice(page.offset, page.offset + page.size);
      const end = page.offset + pageItems.length;
      sendJson(c.res, 200, { total: items.length, items: pageItems, next: nextLink(c.req, c.url, end < items.length ? end : undefined) });
    } catch (e) {
      sendFailure(c.res, e, T_LIST);
    }
  };
  router.add('GET', '/meshes/:mesh/service-insights', (c) => listFor(c, [c.params.mesh!]));
  router.add('GET', '/service-insights', (c) => listFor(c, deps.store.list('Mesh').items.map((m) => m.name)));
  router.add('GET', '/meshes/:mesh/service-insights/:service', (c) => {
    const mesh = c.params.mesh!;
    const svc = c.params.service!;
    const rec = deps.store.get({ type: 'ServiceInsight', mesh, name: allServicesName(mesh) });
    if (svc === allServicesName(mesh) && rec) {
      // `kuma get serviceinsight all-services-default -o yaml` reads the stored record whole, as the seed shows.
      return sendJson(c.res, 200, { type: 'ServiceInsight', mesh, name: rec.name, creationTime: rec.creationTime, modificationTime: rec.modificationTime, ...rec.spec });
    }
    const fields = ((rec?.spec.services ?? {}) as Record<string, Record<string, unknown>>)[svc] ?? {};
    sendJson(c.res, 200, item(rec, mesh, svc, fields));
  });
}
