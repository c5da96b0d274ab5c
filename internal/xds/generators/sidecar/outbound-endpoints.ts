/**
 * EDS for every outbound cluster (spec kuma-kds-xds.md §2.5, §3.6): the healthy endpoints of the
 * destination service from the MeshContext, keeping only those carrying every destination tag of
 * a split subset, grouped by locality zone (local endpoints first), with their weights. The same
 * ClusterLoadAssignment object is shared by all proxies of a MeshContext (memo.ts).
 */
import { ClusterLoadAssignment } from '../../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import type { LocalityLbEndpoints } from '../../../../proto/gen/envoy/config/endpoint/v3/endpoint_components';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { TAG } from '../../../resources/model';
import type { Endpoint, MeshContext, ProxyContext } from '../../context/types';
import { socketAddress } from '../envoy/common';
import { type SidecarMemo, meshMemo } from '../memo';
import { ORIGIN, type TaggedResource, endpoints } from '../types';
import { type DestinationCluster, outboundPlans } from './outbound-plan';

function carries(ep: Endpoint, tags: Readonly<Record<string, string>>): boolean {
  for (const k in tags) if (k !== TAG.service && ep.tags[k] !== tags[k]) return false;
  return true;
}

/** The ClusterLoadAssignment of a destination cluster in a MeshContext. */
export function loadAssignment(dest: DestinationCluster, ctx: MeshContext): ClusterLoadAssignment {
  const byZone = new Map<string, DeepPartial<LocalityLbEndpoints>>();
  for (const ep of ctx.endpoints.get(dest.service) ?? []) {
    if (!carries(ep, dest.tags)) continue;
    const zone = ep.zone ?? '';
    let group = byZone.get(zone);
    if (!group) byZone.set(zone, (group = { ...(zone ? { locality: { zone } } : {}), lbEndpoints: [] }));
    (group.lbEndpoints as unknown[]).push({
      hostIdentifier: { $case: 'endpoint', value: { address: socketAddress(ep.address, ep.port) } },
      loadBalancingWeight: ep.weight,
    });
  }
  const zones = [...byZone.keys()].sort();
  return ClusterLoadAssignment.fromPartial({ clusterName: dest.name, endpoints: zones.map((z) => byZone.get(z)!) });
}

export function outboundEndpoints(proxy: ProxyContext, ctx: MeshContext, memo?: SidecarMemo): TaggedResource[] {
  const cache = meshMemo(ctx, memo).loadAssignments;
  const out: TaggedResource[] = [];
  const seen = new Set<string>();
  for (const plan of outboundPlans(proxy.dataplane, ctx)) {
    for (const dest of plan.clusters) {
      if (seen.has(dest.name)) continue;
      seen.add(dest.name);
      let cla = cache.get(dest.name);
      if (!cla) cache.set(dest.name, (cla = loadAssignment(dest, ctx)));
      out.push(endpoints(dest.name, ORIGIN.outbound, cla));
    }
  }
  return out;
}
