/**
 * The zone's answer to "do the proxies this resource affects run it?": the
 * affected sidecars as the `_resources/dataplanes` route finds them (the
 * top-level targetRef of a targetRef policy, attachments of a legacy one,
 * every sidecar of the mesh for a Mesh), each with whether its ACKed config
 * was built from a store state that holds the resource's current version; then
 * this zone's ingresses and egresses when the resource shapes them (ZONE_PROXY_KINDS, a
 * policy the egress applies towards a MeshExternalService, a route sending to a subset).
 * Reads the reconciler's cached MeshContext, so asking costs one pass over
 * the mesh's sidecars, not a context build.
 */
import type { Resource } from '../../resources/model';
import type { Registry } from '../../resources/registry';
import type { ResourceStore } from '../../store/resource-store';
import { policyAttachments, topLevelSelects } from '../policies/dataplane-inspect';
import { isRemoteIngress, zoneIngressView } from '../context/cross-zone';
import type { MeshContext } from '../context/types';
import { egressServesMesh } from '../generators/egress/egress-proxy';
import { meshExternalDestinations } from '../generators/egress/mesh-external-services';
import { namesSubsets } from '../generators/ingress/subset-destinations';
import { toRefMatchesMeshService } from '../policies/mesh-service-target';
import { itemsOf } from '../policies/proxy-policies';
import { targetRefOf } from '../policies/target-ref';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL, SECRET_TYPE_URL } from '../cache/resource-types';
import type { ConfigAckLedger, ProxyConfigState } from './config-acks';
import type { XdsReconciler } from './reconciler';

export type ProxyAckState = 'ACKed' | 'Pending' | 'NACKed' | 'Disconnected';

export interface ProxyAck {
  /** Set for a zone proxy (its mesh is ""): the row is a ZoneIngress or ZoneEgress, not a Dataplane. */
  kind?: 'ZoneIngress' | 'ZoneEgress';
  mesh: string;
  name: string;
  state: ProxyAckState;
  ackedAt?: string;
  error?: string;
  /** Disconnected: why it runs nothing of this zone's (no stream, and since when its insight says). */
  note?: string;
  /** Pending or NACKed: the xDS types (LDS, CDS, EDS, RDS, SDS) of its current config not ACKed yet. */
  waitingFor?: string[];
}

export interface ProxyPropagation {
  found: boolean;
  /** The zone store's version of the record (its own counter, not the global's). */
  zoneVersion?: number;
  proxies: ProxyAck[];
  /** Why no proxies are listed (a type that configures none). */
  note?: string;
}

export interface PropagationQuery {
  type: string;
  mesh: string;
  name: string;
}

export interface ProxyPropagationDeps {
  store: ResourceStore;
  registry: Registry;
  reconciler: Pick<XdsReconciler, 'meshContext' | 'seqOf' | 'sidecarNode' | 'settledSeq' | 'zoneProxyNode'>;
  /** The zone's name: ZoneIngresses of other zones (synced for cross-zone endpoints) run elsewhere. */
  zone?: string;
  acks: ConfigAckLedger;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function proxyPropagation(deps: ProxyPropagationDeps, q: PropagationQuery): ProxyPropagation {
  const d = deps.registry.byName(q.type);
  if (!d) return { found: false, proxies: [], note: `unknown type "${q.type}"` };
  const r = deps.store.get({ type: q.type, mesh: d.scope === 'Mesh' ? q.mesh : '', name: q.name });
  if (!r) return { found: false, proxies: [] };
  const mesh = q.type === 'Mesh' ? r.name : r.mesh;
  const zoneKinds = ZONE_PROXY_KINDS[q.type];
  if (!mesh || (q.type !== 'Mesh' && !d.policy && !zoneKinds)) return { found: true, zoneVersion: r.version, proxies: [], note: `${q.type} configures no proxy directly` };
  const ctx = deps.reconciler.meshContext(mesh);
  if (!ctx) return { found: true, zoneVersion: r.version, proxies: [] };
  const isTargetRef = (t: string) => deps.registry.byName(t)?.policy?.isTargetRef === true;
  const affects = (dp: Resource): boolean => {
    if (q.type === 'Mesh') return true;
    if (!d.policy) return false; // a service-like type: only zone proxies are listed for it
    return d.policy!.isTargetRef ? topLevelSelects(r, dp, ctx) : policyAttachments(r, dp, ctx, isTargetRef).length > 0;
  };
  const seq = deps.reconciler.seqOf(r);
  const proxies: ProxyAck[] = [];
  for (const dp of ctx.resources.get('Dataplane') ?? []) {
    if ((dp.spec.networking as { gateway?: unknown } | undefined)?.gateway !== undefined) continue;
    if (!affects(dp)) continue;
    proxies.push(ackOf(deps, dp, seq));
  }
  proxies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const zoneProxyKinds = zoneKinds ?? (egressTakes(r, ctx) ? EGRESS_ONLY : namesSubsets(r) ? INGRESS_ONLY : undefined);
  if (zoneProxyKinds) proxies.push(...zoneProxyAcks(deps, zoneProxyKinds, ctx, seq));
  return { found: true, zoneVersion: r.version, proxies };
}

/**
 * The zone proxies a type shapes: the ingress serves every mesh (its SNI chains come from the
 * mesh's services, MeshServices and MeshMultiZoneServices); the egress the meshes that send
 * through it (mTLS on, and zoneEgress routing or a MeshExternalService) and their external services.
 */
const ZONE_PROXY_KINDS: Record<string, readonly ('ZoneIngress' | 'ZoneEgress')[]> = {
  Mesh: ['ZoneIngress', 'ZoneEgress'],
  MeshService: ['ZoneIngress'],
  MeshMultiZoneService: ['ZoneIngress'],
  MeshExternalService: ['ZoneEgress'],
  ExternalService: ['ZoneEgress'],
};

const EGRESS_ONLY = ['ZoneEgress'] as const;
/** A route that sends to a subset: the ingresses get a chain for it (ingress/subset-destinations.ts). */
const INGRESS_ONLY = ['ZoneIngress'] as const;

/** The policies the zone egress applies towards a MeshExternalService (egress/mesh-external-policies.ts). */
const EGRESS_TO_POLICIES = new Set(['MeshCircuitBreaker', 'MeshHealthCheck', 'MeshLoadBalancingStrategy']);

/**
 * Whether the zone egress applies `policy`: one of its `to[]` items reaches a MeshExternalService
 * of the mesh, whatever its top-level targetRef, as egress-to-conf.ts reads them (Kuma's egress
 * ResourceRules); policies on a MeshHTTPRoute are left out there too.
 */
function egressTakes(policy: Resource, ctx: MeshContext): boolean {
  if (!EGRESS_TO_POLICIES.has(policy.type) || targetRefOf(policy.spec.targetRef).kind === 'MeshHTTPRoute') return false;
  const dests = meshExternalDestinations(ctx);
  return dests.length > 0 && itemsOf(policy, 'to').some((i) => dests.some((dest) => toRefMatchesMeshService(i.targetRef, dest)));
}

/** This zone's own ZoneIngresses / ZoneEgresses (a few per zone), in name order per kind. */
function zoneProxyAcks(deps: ProxyPropagationDeps, kinds: readonly ('ZoneIngress' | 'ZoneEgress')[], ctx: MeshContext, seq: number): ProxyAck[] {
  const out: ProxyAck[] = [];
  for (const kind of kinds) {
    if (kind === 'ZoneEgress' && !egressServesMesh(ctx)) continue;
    const items = deps.store.list(kind).items.filter((zp) => !isRemoteIngress(zoneIngressView(zp), deps.zone ?? ''));
    for (const zp of [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const node = deps.reconciler.zoneProxyNode(kind === 'ZoneIngress' ? 'ingress' : 'egress', zp.name);
      // Zone proxies are looked at on every flush (onBuilt), so no settled sequence is needed.
      out.push({ kind, ...ackOfNode(deps, node, { mesh: '', name: zp.name }, seq, 0, `${kind}Insight`) });
    }
  }
  return out;
}

function ackOf(deps: ProxyPropagationDeps, dp: Resource, seq: number): ProxyAck {
  return ackOfNode(deps, deps.reconciler.sidecarNode(dp.mesh, dp.name), { mesh: dp.mesh, name: dp.name }, seq, deps.reconciler.settledSeq(dp.mesh), 'DataplaneInsight');
}

function ackOfNode(deps: ProxyPropagationDeps, node: string | undefined, base: { mesh: string; name: string }, seq: number, settledSeq: number, insightType: string): ProxyAck {
  if (!node) return { ...base, state: 'Disconnected', note: disconnectedNote(deps, insightType, base) };
  const st = deps.acks.state(node);
  if (st) {
    const state = ackStateOf(st, seq, settledSeq);
    if (state === 'ACKed') return { ...base, state, ackedAt: iso(st.ackedAtMs) };
    const waitingFor = st.pendingTypes.map(shortType);
    if (state === 'NACKed') return { ...base, state, error: st.nack!.error, waitingFor };
    return { ...base, state, ...(waitingFor.length ? { waitingFor } : {}) };
  }
  return { ...base, state: 'Pending' };
}

/**
 * A proxy with no stream runs none of this zone's config: a stopped kuma-dp, one connected to
 * another zone's control plane, or one that never came up. Its insight's last subscription says
 * when its stream closed (the resource outlives it by the deregistration delay).
 */
function disconnectedNote(deps: ProxyPropagationDeps, insightType: string, at: { mesh: string; name: string }): string {
  const cp = deps.zone ? `${deps.zone}'s control plane` : "this zone's control plane";
  const subs = (deps.store.get({ type: insightType, mesh: at.mesh, name: at.name })?.spec as { subscriptions?: { disconnectTime?: string }[] } | undefined)?.subscriptions;
  const closed = subs?.[subs.length - 1]?.disconnectTime;
  return closed ? `not connected to ${cp} since ${closed}` : `not connected to ${cp} (no xDS stream)`;
}

const SHORT: Record<string, string> = { [LISTENER_TYPE_URL]: 'LDS', [CLUSTER_TYPE_URL]: 'CDS', [ENDPOINT_TYPE_URL]: 'EDS', [ROUTE_TYPE_URL]: 'RDS', [SECRET_TYPE_URL]: 'SDS' };
const shortType = (typeUrl: string) => SHORT[typeUrl] ?? typeUrl.slice(typeUrl.lastIndexOf('.') + 1);

/**
 * Whether a proxy runs a config that holds the record seen at store sequence `seq`: the config it
 * ACKed was built from that point on, or it ACKed all of its current config and the reconciler
 * has looked at its mesh since `seq` (`settledSeq`) and left the proxy alone because the change
 * could not move its config. Otherwise NACKed when it rejected part of its current config.
 */
export function ackStateOf(st: ProxyConfigState, seq: number, settledSeq: number): 'ACKed' | 'NACKed' | 'Pending' {
  if (st.ackedAtMs !== undefined) {
    if (st.ackedSeq >= seq) return 'ACKed';
    if (st.pendingTypes.length === 0 && settledSeq >= seq) return 'ACKed';
  }
  return st.nack ? 'NACKed' : 'Pending';
}
