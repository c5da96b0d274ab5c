/**
 * Policy inspection routes real kumactl 2.14 and Kuma's GUI call (Kuma pkg/api-server/
 * inspect_endpoints.go, api/openapi/specs/api.yaml), computed from the MeshContext the xDS
 * reconciler builds (xds/policies/dataplane-inspect.ts):
 *
 * - `GET /meshes/{m}/{policyPath}/{name}/_resources/dataplanes`: the dataplanes the policy selects
 *   (targetRef policies by their top-level targetRef; legacy ones where they attach), as Meta
 *   `{total, items: [{type, mesh, name, labels, kri}], next}`, paged (`offset`, `size`) and
 *   filtered by `name` (substring), like every list;
 * - `GET /meshes/{m}/{policyPath}/{name}/dataplanes`: Kuma's PolicyInspectEntry list
 *   `{total, items: [{kind: SidecarDataplane, dataplane: {mesh, name}, attachments}]}`;
 * - `GET /meshes/{m}/dataplanes/{n}/policies`: DataplaneInspectEntry list
 *   `{total, kind: SidecarDataplane, items: [{type, name, service, matchedPolicies: {Type: [resource]}}]}`;
 * - `GET /meshes/{m}/dataplanes/{n}/_rules` (and `/rules`): `{resource, rules: [InspectRule], httpMatches}`;
 * - `GET /meshes/{m}/dataplanes/{n}/_layout`: `{kri, labels, inbounds: [{kri, port, protocol,
 *   proxyResourceName}], outbounds}` (outbounds list MeshService-mode outbounds, which do not exist
 *   here yet: always empty);
 * - `GET /meshes/{m}/dataplanes/{n}/_policies`: `{policies: [{kind, conf, origins: [{kri}]}]}` for
 *   proxy-wide policies; `_inbounds/{kri}/_policies`: `{policies: [{kind, rules: [{conf}], origins}]}`.
 */
import type { Resource } from '../resources/model';
import { toRest } from '../resources/codec';
import { kriOf } from '../resources/kri';
import { mustKri } from './kri-endpoints';
import type { ResourceDescriptor } from '../resources/registry';
import { buildMeshContext } from '../xds/context/mesh-context';
import { meshContextInputFromStore } from '../xds/context/mesh-context-input';
import type { MeshContext } from '../xds/context/types';
import { inboundPolicies, inspectEntries, inspectHttpMatches, inspectRules, layoutInbounds, policyAttachments, proxyPoliciesConf, topLevelSelects } from '../xds/policies/dataplane-inspect';
import type { Rule } from '../xds/policies/rules';
import type { ApiDeps } from './deps';
import { HttpError, sendFailure, sendJson } from './http-util';
import { nextLink, parsePage } from './pagination';
import { assertAccess } from './resource-endpoints';
import type { RequestContext, Router } from './router';

const T_INSPECT = 'Could not inspect a resource';
const T_POLICIES = 'Could not inspect dataplane policies';
const T_RULES = 'Could not inspect dataplane rules';

export function registerPolicyInspectEndpoints(router: Router, deps: ApiDeps): void {
  for (const d of deps.registry.all()) {
    if (!d.policy || d.scope !== 'Mesh') continue;
    for (const path of [d.path, ...d.altPaths]) {
      router.add('GET', `/meshes/:mesh/${path}/:name/_resources/dataplanes`, (c) => selectedDataplanes(deps, d, c));
      router.add('GET', `/meshes/:mesh/${path}/:name/dataplanes`, (c) => affectedDataplanes(deps, d, c));
    }
  }
  const dp = '/meshes/:mesh/dataplanes/:name';
  router.add('GET', `${dp}/policies`, (c) => dataplanePolicies(deps, c));
  router.add('GET', `${dp}/_rules`, (c) => dataplaneRules(deps, c));
  router.add('GET', `${dp}/rules`, (c) => dataplaneRules(deps, c));
  router.add('GET', `${dp}/_layout`, (c) => dataplaneLayout(deps, c));
  router.add('GET', `${dp}/_policies`, (c) => dataplaneProxyPolicies(deps, c));
  router.add('GET', `${dp}/_inbounds/:kri/_policies`, (c) => dataplaneInboundPolicies(deps, c));
}

function isTargetRefOf(deps: ApiDeps): (type: string) => boolean {
  return (type) => deps.registry.byName(type)?.policy?.isTargetRef === true;
}

function meshContextOf(deps: ApiDeps, mesh: string, title: string): MeshContext {
  const meshRes = deps.store.get({ type: 'Mesh', mesh: '', name: mesh });
  if (!meshRes) throw new HttpError(404, title, 'Not found');
  return buildMeshContext(meshContextInputFromStore(deps.store, deps.registry, meshRes, deps.config.multizone.zone.name));
}

/** Kuma's Meta: type, mesh, name, labels (always present), kri. */
export function metaOf(deps: ApiDeps, r: Resource): Record<string, unknown> {
  const d = deps.registry.byName(r.type);
  const kri = d ? kriOf(d, r) : undefined;
  return { type: r.type, mesh: r.mesh, name: r.name, labels: r.labels, ...(kri ? { kri } : {}) };
}

function policyOf(deps: ApiDeps, d: ResourceDescriptor, c: RequestContext): Resource {
  assertAccess(deps, d, c);
  const p = deps.store.get({ type: d.name, mesh: c.params.mesh!, name: c.params.name! });
  if (!p) throw new HttpError(404, T_INSPECT, 'Not found');
  return p;
}

/** The mesh's Dataplanes in name order, as the context holds them (sidecars only). */
function dataplanesOf(ctx: MeshContext): Resource[] {
  return [...(ctx.resources.get('Dataplane') ?? [])].filter((r) => !isGateway(r)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function isGateway(dp: Resource): boolean {
  const n = dp.spec.networking as { gateway?: unknown } | undefined;
  return n?.gateway !== undefined;
}

function selectedDataplanes(deps: ApiDeps, d: ResourceDescriptor, c: RequestContext): void {
  try {
    const policy = policyOf(deps, d, c);
    const page = parsePage(c.query, T_INSPECT);
    const nameContains = c.query.get('name') ?? '';
    const ctx = meshContextOf(deps, policy.mesh, T_INSPECT);
    const isTargetRef = isTargetRefOf(deps);
    const selected = dataplanesOf(ctx).filter(
      (dp) => dp.name.includes(nameContains) && (d.policy?.isTargetRef ? topLevelSelects(policy, dp, ctx) : policyAttachments(policy, dp, ctx, isTargetRef).length > 0),
    );
    const items = selected.slice(page.offset, page.offset + page.size);
    const nextOffset = page.offset + page.size < selected.length ? page.offset + page.size : undefined;
    sendJson(c.res, 200, { total: selected.length, items: items.map((r) => metaOf(deps, r)), next: nextLink(c.req, c.url, nextOffset) });
  } catch (e) {
    sendFailure(c.res, e, T_INSPECT);
  }
}

function affectedDataplanes(deps: ApiDeps, d: ResourceDescriptor, c: RequestContext): void {
  try {
    const policy = policyOf(deps, d, c);
    const ctx = meshContextOf(deps, policy.mesh, T_INSPECT);
    const isTargetRef = isTargetRefOf(deps);
    const items = dataplanesOf(ctx).flatMap((dp) => {
      const attachments = policyAttachments(policy, dp, ctx, isTargetRef);
      return attachments.length > 0 ? [{ kind: 'SidecarDataplane', dataplane: { mesh: dp.mesh, name: dp.name }, attachments }] : [];
    });
    sendJson(c.res, 200, { total: items.length, items });
  } catch (e) {
    sendFailure(c.res, e, T_INSPECT);
  }
}

function dataplaneOf(deps: ApiDeps, c: RequestContext, title: string): Resource {
  const dp = deps.store.get({ type: 'Dataplane', mesh: c.params.mesh!, name: c.params.name! });
  if (!dp) throw new HttpError(404, title, 'Not found');
  return dp;
}

function dataplanePolicies(deps: ApiDeps, c: RequestContext): void {
  try {
    const dp = dataplaneOf(deps, c, T_POLICIES);
    const ctx = meshContextOf(deps, dp.mesh, T_POLICIES);
    const items = inspectEntries(dp, ctx, isTargetRefOf(deps)).map((e) => ({
      type: e.type,
      name: e.name,
      service: e.service,
      matchedPolicies: Object.fromEntries([...e.matchedPolicies].map(([type, list]) => [type, list.map((p) => toRest(deps.registry.byName(type)!, p))])),
    }));
    sendJson(c.res, 200, { total: items.length, kind: 'SidecarDataplane', items });
  } catch (e) {
    sendFailure(c.res, e, T_POLICIES);
  }
}

function ruleJson(deps: ApiDeps, r: Rule): Record<string, unknown> {
  return { matchers: r.subset.map((t) => ({ key: t.key, value: t.value, not: t.not })), conf: r.conf, origin: r.origins.map((o) => metaOf(deps, o)) };
}

function dataplaneRules(deps: ApiDeps, c: RequestContext): void {
  try {
    const dp = dataplaneOf(deps, c, T_RULES);
    const ctx = meshContextOf(deps, dp.mesh, T_RULES);
    const rules = inspectRules(dp, ctx, isTargetRefOf(deps)).map((r) => ({
      type: r.type,
      ...(r.proxyRule ? { proxyRule: { conf: r.proxyRule.conf, origin: r.proxyRule.origin.map((o) => metaOf(deps, o)) } } : {}),
      ...(r.toRules ? { toRules: r.toRules.map((x) => ruleJson(deps, x)) } : {}),
      ...(r.fromRules ? { fromRules: r.fromRules.map((f) => ({ inbound: f.inbound, rules: f.rules.map((x) => ruleJson(deps, x)) })) } : {}),
      ...(r.inboundRules
        ? {
            inboundRules: r.inboundRules.map((ir) => ({
              inbound: ir.inbound,
              rules: ir.rules.map((x) => ({ conf: x.conf, origin: x.origin.map((o) => ({ resourceMeta: metaOf(deps, o.policy), ruleIndex: o.ruleIndex })) })),
            })),
          }
        : {}),
      warnings: r.warnings,
    }));
    sendJson(c.res, 200, { resource: metaOf(deps, dp), rules, httpMatches: inspectHttpMatches(dp, ctx, isTargetRefOf(deps)) });
  } catch (e) {
    sendFailure(c.res, e, T_RULES);
  }
}

const T_LAYOUT = 'Could not get dataplane layout';

function originKris(deps: ApiDeps, list: Resource[]): { kri: string }[] {
  return list.flatMap((p) => {
    const d = deps.registry.byName(p.type);
    const kri = d ? kriOf(d, p) : undefined;
    return kri ? [{ kri }] : [];
  });
}

function dataplaneLayout(deps: ApiDeps, c: RequestContext): void {
  try {
    const dp = dataplaneOf(deps, c, T_LAYOUT);
    const ctx = meshContextOf(deps, dp.mesh, T_LAYOUT);
    const d = deps.registry.mustByName('Dataplane');
    const inbounds = layoutInbounds(dp, ctx).map((i) => ({ kri: mustKri(d, dp, i.sectionName), port: i.port, protocol: i.protocol, proxyResourceName: i.proxyResourceName }));
    sendJson(c.res, 200, { kri: mustKri(d, dp), labels: dp.labels, inbounds, outbounds: [] });
  } catch (e) {
    sendFailure(c.res, e, T_LAYOUT);
  }
}

function dataplaneProxyPolicies(deps: ApiDeps, c: RequestContext): void {
  try {
    const dp = dataplaneOf(deps, c, T_POLICIES);
    const ctx = meshContextOf(deps, dp.mesh, T_POLICIES);
    const policies = proxyPoliciesConf(dp, ctx, isTargetRefOf(deps)).map((p) => ({ kind: p.kind, conf: p.conf, origins: originKris(deps, p.origins) }));
    sendJson(c.res, 200, { policies });
  } catch (e) {
    sendFailure(c.res, e, T_POLICIES);
  }
}

function dataplaneInboundPolicies(deps: ApiDeps, c: RequestContext): void {
  try {
    const dp = dataplaneOf(deps, c, T_POLICIES);
    const ctx = meshContextOf(deps, dp.mesh, T_POLICIES);
    const d = deps.registry.mustByName('Dataplane');
    const wanted = c.params.kri!;
    const layout = layoutInbounds(dp, ctx).find((i) => kriOf(d, dp, i.sectionName) === wanted || i.proxyResourceName === wanted);
    if (!layout) throw new HttpError(404, T_POLICIES, `dataplane "${dp.name}" has no inbound "${wanted}"; see GET .../_layout for its inbound KRIs`);
    const policies = inboundPolicies(dp, ctx, isTargetRefOf(deps), layout.inbound).map((p) => ({ kind: p.kind, rules: [{ conf: p.conf }], origins: originKris(deps, p.origins) }));
    sendJson(c.res, 200, { policies });
  } catch (e) {
    sendFailure(c.res, e, T_POLICIES);
  }
}
