/**
 * EDS for every outbound cluster (spec kuma-kds-xds.md §2.5, §3.6): the endpoints of the
 * destination service from the MeshContext (healthy local inbounds, then remote zone ingresses),
 * keeping only those carrying every destination tag of a split subset, grouped into one
 * LocalityLbEndpoints per (zone, sub-zone, priority) as the locality plan of the proxy and service
 * says (envoy/locality.ts), localities sorted by zone then sub-zone, endpoints by address:port.
 *
 * Endpoints at the same address:port within one locality (one ingress advertising several tag sets
 * of the service) are merged into one host whose weight is the sum: Envoy keys hosts by address, so
 * duplicates would not add up reliably.
 *
 * No endpoint metadata: split subsets are separate clusters with their own (filtered)
 * ClusterLoadAssignment, so neither `envoy.lb` subset selection nor transport socket matches are
 * needed. ClusterLoadAssignments are shared by all proxies of a MeshContext with the same locality
 * plan for the service (memo.ts).
 */
import { ClusterLoadAssignment } from '../../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import type { LocalityLbEndpoints } from '../../../../proto/gen/envoy/config/endpoint/v3/endpoint_components';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { TAG } from '../../../resources/model';
import { canonicalJson } from '../../context/mesh-context';
import type { Endpoint, MeshContext, ProxyContext } from '../../context/types';
import { proxyPolicies } from '../../policies/proxy-policies';
import { socketAddress } from '../envoy/common';
import { FLAT, type LocalityPlan, localityPlan, placeEndpoint } from '../envoy/locality';
import { type SidecarMemo, meshMemo } from '../memo';
import { ORIGIN, type TaggedResource, endpoints } from '../types';
import { meshMtls } from '../envoy/tls';
import { externalEgressAssignment, externalTarget } from './external-services';
import { type DestinationCluster, outboundPlans } from './outbound-plan';

function carries(ep: Endpoint, tags: Readonly<Record<string, string>>): boolean {
  for (const k in tags) if (k !== TAG.service && ep.tags[k] !== tags[k]) return false;
  return true;
}

interface Group {
  zone: string;
  subZone: string;
  priority: number;
  localityWeight?: number;
  hosts: Map<string, { address: string; port: number; weight: number }>;
}

function compareHosts(a: { address: string; port: number }, b: { address: string; port: number }): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port;
}

/** The ClusterLoadAssignment of a destination cluster in a MeshContext under a locality plan. */
export function loadAssignment(dest: DestinationCluster, ctx: MeshContext, plan: LocalityPlan = FLAT): ClusterLoadAssignment {
  const groups = new Map<string, Group>();
  for (const ep of ctx.endpoints.get(dest.service) ?? []) {
    if (!carries(ep, dest.tags)) continue;
    const place = placeEndpoint(ep, plan);
    if (!place) continue;
    const zone = place.zone ?? '';
    const subZone = place.subZone ?? '';
    const key = `${zone}\u0000${subZone}\u0000${place.priority}`;
    let g = groups.get(key);
    if (!g) {
      groups.set(key, (g = { zone, subZone, priority: place.priority, hosts: new Map() }));
      if (place.localityWeight !== undefined) g.localityWeight = place.localityWeight;
    }
    const at = `${ep.address}\u0000${ep.port}`;
    const host = g.hosts.get(at);
    if (host) host.weight += ep.weight;
    else g.hosts.set(at, { address: ep.address, port: ep.port, weight: ep.weight });
  }
  const ordered = [...groups.values()].sort((a, b) =>
    a.zone !== b.zone ? (a.zone < b.zone ? -1 : 1) : a.subZone !== b.subZone ? (a.subZone < b.subZone ? -1 : 1) : a.priority - b.priority,
  );
  const localities: DeepPartial<LocalityLbEndpoints>[] = ordered.map((g) => ({
    ...(g.zone || g.subZone ? { locality: { zone: g.zone, subZone: g.subZone } } : {}),
    lbEndpoints: [...g.hosts.values()].sort(compareHosts).map((h) => ({
      hostIdentifier: { $case: 'endpoint' as const, value: { address: socketAddress(h.address, h.port) } },
      loadBalancingWeight: h.weight,
    })),
    ...(g.localityWeight !== undefined ? { loadBalancingWeight: g.localityWeight } : {}),
    priority: g.priority,
  }));
  return ClusterLoadAssignment.fromPartial({
    clusterName: dest.name,
    endpoints: localities,
    ...(plan.kind === 'failover' ? { policy: { overprovisioningFactor: plan.overprovisioningFactor } } : {}),
  });
}

export function outboundEndpoints(proxy: ProxyContext, ctx: MeshContext, memo?: SidecarMemo): TaggedResource[] {
  const cache = meshMemo(ctx, memo).loadAssignments;
  const pp = proxyPolicies(proxy.dataplane, ctx);
  const mtls = meshMtls(proxy, ctx);
  const out: TaggedResource[] = [];
  const seen = new Set<string>();
  for (const plan of outboundPlans(proxy.dataplane, ctx, proxy)) {
    for (const dest of plan.clusters) {
      if (seen.has(dest.name)) continue;
      seen.add(dest.name);
      // ExternalServices: a direct cluster carries its endpoints inline; an egress-routed one gets the egresses.
      const external = dest.meshService ? undefined : externalTarget(ctx, dest, mtls);
      if (external?.kind === 'direct') continue;
      if (external?.kind === 'egress') {
        const key = `${dest.name}\u0000external`;
        let cla = cache.get(key);
        if (!cla) cache.set(key, (cla = externalEgressAssignment(dest.name, ctx, external)));
        out.push(endpoints(dest.name, ORIGIN.outbound, cla));
        continue;
      }
      const locality = localityPlan(pp, dest.service, ctx);
      const key = locality.kind === 'flat' ? dest.name : `${dest.name}\u0000${canonicalJson(locality)}`;
      let cla = cache.get(key);
      if (!cla) cache.set(key, (cla = loadAssignment(dest, ctx, locality)));
      out.push(endpoints(dest.name, ORIGIN.outbound, cla));
    }
  }
  return out;
}
