/**
 * The generic routes, derived from the type registry (spec §2.3): list, get,
 * PUT (create 201 / update 200) and DELETE for every type, under its path and
 * alternative paths; mesh-scoped types also get an all-meshes list.
 */
import { ValidationError, type Violation } from '../errors';
import { fromRest, parseYamlDocuments, toRest } from '../resources/codec';
import { statusReader } from './mesh-service-status';
import type { ResourceDescriptor } from '../resources/registry';
import { assertResourceAccess } from './access';
import type { ApiDeps } from './deps';
import { dataplaneFilter } from './dataplane-filters';
import { HttpError, bodyFormat, readBody, sendFailure, sendJson } from './http-util';
import { nextLink, parseFilters, parsePage } from './pagination';
import type { RequestContext, Router } from './router';

const T_LIST = 'Could not list resources';
const T_GET = 'Could not retrieve a resource';
const T_PUT = 'Could not process a resource';
const T_DELETE = 'Could not delete a resource';

/** Secrets need adminResources; writes need an authenticated user (access.ts). */
export function assertAccess(deps: ApiDeps, d: ResourceDescriptor, c: RequestContext, write = false): void {
  assertResourceAccess(deps.config.access.static, c.user, d.name, d.adminOnly, write);
}

export function registerResourceEndpoints(router: Router, deps: ApiDeps): void {
  for (const d of deps.registry.all()) {
    for (const path of [d.path, ...d.altPaths]) {
      if (d.scope === 'Mesh') {
        router.add('GET', `/meshes/:mesh/${path}`, (c) => list(deps, d, c, c.params.mesh));
        router.add('GET', `/meshes/:mesh/${path}/:name`, (c) => get(deps, d, c, c.params.mesh!, c.params.name!));
        router.add('PUT', `/meshes/:mesh/${path}/:name`, (c) => put(deps, d, c, c.params.mesh!, c.params.name!));
        router.add('DELETE', `/meshes/:mesh/${path}/:name`, (c) => del(deps, d, c, c.params.mesh!, c.params.name!));
        router.add('GET', `/${path}`, (c) => list(deps, d, c, undefined));
      } else {
        router.add('GET', `/${path}`, (c) => list(deps, d, c, undefined));
        router.add('GET', `/${path}/:name`, (c) => get(deps, d, c, '', c.params.name!));
        router.add('PUT', `/${path}/:name`, (c) => put(deps, d, c, '', c.params.name!));
        router.add('DELETE', `/${path}/:name`, (c) => del(deps, d, c, '', c.params.name!));
      }
    }
  }
}

function list(deps: ApiDeps, d: ResourceDescriptor, c: RequestContext, mesh: string | undefined): void {
  try {
    assertAccess(deps, d, c);
    const page = parsePage(c.query, T_LIST);
    const filters = parseFilters(c.query, T_LIST);
    const filter = d.name === 'Dataplane' || d.name === 'ExternalService' ? dataplaneFilter(c.query, T_LIST) ?? externalTagFilter(d, c.query) : undefined;
    const r = deps.store.list(d.name, { mesh, ...filters, filter, offset: page.offset, size: page.size });
    const statusOf = statusReader(deps);
    sendJson(c.res, 200, { total: r.total, items: r.items.map((x) => toRest(d, x, statusOf(x))), next: nextLink(c.req, c.url, r.nextOffset) });
  } catch (e) {
    sendFailure(c.res, e, T_LIST);
  }
}

/** ExternalService lists accept `tag=key:value` against their tags. */
function externalTagFilter(d: ResourceDescriptor, q: URLSearchParams) {
  if (d.name !== 'ExternalService' || q.getAll('tag').length === 0) return undefined;
  const tags = q.getAll('tag').map((t) => t.split(/:(.*)/s) as [string, string]);
  return (r: { spec: Record<string, unknown> }) => {
    const have = (r.spec.tags ?? {}) as Record<string, string>;
    return tags.every(([k, v]) => have[k] !== undefined && have[k]!.includes(v ?? ''));
  };
}

function get(deps: ApiDeps, d: ResourceDescriptor, c: RequestContext, mesh: string, name: string): void {
  try {
    assertAccess(deps, d, c);
    const r = deps.store.get({ type: d.name, mesh, name });
    if (!r) throw new HttpError(404, T_GET, 'Not found');
    sendJson(c.res, 200, toRest(d, r, statusReader(deps)(r)));
  } catch (e) {
    sendFailure(c.res, e, T_GET);
  }
}

async function put(deps: ApiDeps, d: ResourceDescriptor, c: RequestContext, mesh: string, name: string): Promise<void> {
  try {
    deps.manager.assertWritable(d);
    assertAccess(deps, d, c, true);
    const format = bodyFormat(c.req);
    const text = await readBody(c.req, deps.config.apiServer.maxBodyBytes);
    let doc: unknown;
    try {
      if (format === 'json') doc = JSON.parse(text);
      else {
        const docs = parseYamlDocuments(text);
        if (docs.length !== 1) throw new Error(`expected one YAML document, got ${docs.length}`);
        doc = docs[0];
      }
    } catch (e) {
      throw new HttpError(400, 'Bad Request', `invalid ${d.name} object: "${(e as Error).message.split('\n')[0]}"`);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new HttpError(400, 'Bad Request', `invalid ${d.name} object: "the body must be a JSON object"`);
    const body = doc as Record<string, unknown>;
    const vs: Violation[] = [];
    if (body.type !== undefined && body.type !== d.name) vs.push({ field: 'type', message: 'type from the URL has to be the same as in body' });
    if (body.name !== undefined && body.name !== name) vs.push({ field: 'name', message: 'name from the URL has to be the same as in body' });
    if (d.scope === 'Mesh' && body.mesh !== undefined && body.mesh !== mesh) vs.push({ field: 'mesh', message: 'mesh from the URL has to be the same as in body' });
    if (vs.length) throw new ValidationError(vs);
    const parsed = fromRest(deps.registry, { ...body, type: d.name, name, ...(d.scope === 'Mesh' ? { mesh } : {}) });
    const result = await deps.manager.upsert(parsed);
    // Kuma's PUT answers deprecations as `warnings` (kumactl prints "Warning: <text>"); also as
    // RFC 7234 Warning headers for other HTTP clients.
    const warnings = d.deprecations?.(parsed.spec) ?? [];
    for (const w of warnings) c.res.appendHeader('Warning', `299 - ${JSON.stringify(w)}`);
    sendJson(c.res, result.created ? 201 : 200, warnings.length ? { warnings } : {});
  } catch (e) {
    sendFailure(c.res, e, T_PUT);
  }
}

async function del(deps: ApiDeps, d: ResourceDescriptor, c: RequestContext, mesh: string, name: string): Promise<void> {
  try {
    deps.manager.assertWritable(d);
    assertAccess(deps, d, c, true);
    await deps.manager.delete(d, { type: d.name, mesh, name });
    sendJson(c.res, 200, {});
  } catch (e) {
    sendFailure(c.res, e, T_DELETE);
  }
}
