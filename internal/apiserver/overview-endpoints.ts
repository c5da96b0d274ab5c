/**
 * `_overview` routes (and their legacy `+insights` aliases): a page of the
 * main type joined with its insight by key (spec §2.3). Derived from the
 * descriptors that declare `overview`.
 */
import { effectiveInsight } from '../core/insight-status';
import type { Resource } from '../resources/model';
import type { ResourceDescriptor } from '../resources/registry';
import type { ApiDeps } from './deps';
import { overviewFilter } from './overview-filters';
import { HttpError, sendFailure, sendJson } from './http-util';
import { nextLink, parseFilters, parsePage } from './pagination';
import type { RequestContext, Router } from './router';

const T_LIST = 'Could not list resources';
const T_GET = 'Could not retrieve a resource';

/** Legacy aliases used by kumactl <= 2.5 and old GUIs. */
const LEGACY_ALIASES: Record<string, string[]> = {
  Dataplane: ['dataplanes+insights'],
  Zone: ['zones+insights'],
  ZoneIngress: ['zoneingresses+insights'],
  ZoneEgress: ['zoneegressoverviews'],
};

export function overviewItem(deps: ApiDeps, d: ResourceDescriptor, r: Resource): Record<string, unknown> {
  const o = d.overview!;
  const insight = deps.store.get({ type: d.insightType!, mesh: r.mesh, name: r.name });
  const item: Record<string, unknown> = { type: o.type };
  if (d.scope === 'Mesh') item.mesh = r.mesh;
  item.name = r.name;
  item.creationTime = r.creationTime;
  item.modificationTime = r.modificationTime;
  if (Object.keys(r.labels).length) item.labels = r.labels;
  item[o.resourceField] = r.spec;
  // As Kuma (and what kumactl 2.14 reads): no insight yet means no insight field, not an empty one.
  const effective = effectiveInsight(deps.store, r.labels, insight?.spec);
  if (effective) item[o.insightField] = effective;
  return item;
}

export function registerOverviewEndpoints(router: Router, deps: ApiDeps): void {
  for (const d of deps.registry.all()) {
    if (!d.overview || !d.insightType) continue;
    const stems = [...[d.path, ...d.altPaths].map((p) => `${p}/_overview`), ...(LEGACY_ALIASES[d.name] ?? [])];
    for (const stem of stems) {
      const itemPattern = stem.endsWith('/_overview') ? `${stem.slice(0, -'/_overview'.length)}/:name/_overview` : `${stem}/:name`;
      if (d.scope === 'Mesh') {
        router.add('GET', `/meshes/:mesh/${stem}`, (c) => list(deps, d, c, c.params.mesh));
        router.add('GET', `/meshes/:mesh/${itemPattern}`, (c) => get(deps, d, c, c.params.mesh!, c.params.name!));
        router.add('GET', `/${stem}`, (c) => list(deps, d, c, undefined));
      } else {
        router.add('GET', `/${stem}`, (c) => list(deps, d, c, undefined));
        router.add('GET', `/${itemPattern}`, (c) => get(deps, d, c, '', c.params.name!));
      }
    }
  }
}

function list(deps: ApiDeps, d: ResourceDescriptor, c: RequestContext, mesh: string | undefined): void {
  try {
    const page = parsePage(c.query, T_LIST);
    const filters = parseFilters(c.query, T_LIST);
    const filter = overviewFilter(deps, d, c.query, T_LIST);
    const r = deps.store.list(d.name, { mesh, ...filters, filter, offset: page.offset, size: page.size });
    sendJson(c.res, 200, { total: r.total, items: r.items.map((x) => overviewItem(deps, d, x)), next: nextLink(c.req, c.url, r.nextOffset) });
  } catch (e) {
    sendFailure(c.res, e, T_LIST);
  }
}

function get(deps: ApiDeps, d: ResourceDescriptor, c: RequestContext, mesh: string, name: string): void {
  try {
    const r = deps.store.get({ type: d.name, mesh, name });
    if (!r) throw new HttpError(404, T_GET, 'Not found');
    sendJson(c.res, 200, overviewItem(deps, d, r));
  } catch (e) {
    sendFailure(c.res, e, T_GET);
  }
}
