/**
 * Outbounds to ExternalServices (spec kuma-kds-xds.md §4, kuma-api-cli.md §1.9; Kuma
 * pkg/xds/topology/outbound.go, pkg/plugins/policies/core/xds/meshroute/clusters.go):
 *
 * - Mesh without zone egress routing: the sidecar dials the external host itself: the outbound
 *   cluster is STRICT_DNS (STATIC for an IP) to `networking.address`, with TLS origination when
 *   `networking.tls.enabled` (envoy/external-tls.ts). No EDS, no mesh mTLS.
 * - Mesh with `routing.zoneEgress: true` and mTLS: the cluster is EDS with one endpoint per local
 *   ZoneEgress (weight 1) and the mesh mTLS towards the egress: SNI `<service>{mesh=<mesh>[,tags]}`
 *   (the destination tags), exact SAN `spiffe://<mesh>/zone-egress`. The egress terminates it and
 *   dials the external host (generators/egress/egress-proxy.ts). ExternalServices tagged with another
 *   zone are not reachable this way (Kuma sends them through that zone's ingress; not generated).
 *
 * The same decision (externalTarget) drives the cluster and the endpoints generators.
 */
import { ClusterLoadAssignment } from '../../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import type { Cluster } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { TAG } from '../../../resources/model';
import { type ExternalServiceView, externalServicesByService, reachableFromZone } from '../../context/external-services';
import type { MeshContext } from '../../context/types';
import { ZONE_EGRESS_SERVICE, egressEndpoints, routesThroughZoneEgress } from '../../context/zone-egress';
import { socketAddress } from '../envoy/common';
import { externalClusterParts } from '../envoy/external-tls';
import { sniFromTags } from '../envoy/names';
import { type MeshMtls, upstreamTlsSocket } from '../envoy/tls';
import type { DestinationCluster } from './outbound-plan';

export type ExternalTarget =
  /** Straight to the external hosts. */
  | { kind: 'direct'; services: ExternalServiceView[] }
  /** Through the local zone egresses, mTLS to the egress identity. */
  | { kind: 'egress'; mesh: string; sni: string; reachable: boolean };

function carries(es: ExternalServiceView, tags: Readonly<Record<string, string>>): boolean {
  for (const k in tags) if (k !== TAG.service && es.tags[k] !== tags[k]) return false;
  return true;
}

/** How a destination cluster reaches ExternalServices; undefined when its service is not external. */
export function externalTarget(ctx: MeshContext, dest: DestinationCluster, mtls: MeshMtls | undefined): ExternalTarget | undefined {
  const all = externalServicesByService(ctx).get(dest.service);
  if (!all || all.length === 0) return undefined;
  const services = all.filter((es) => carries(es, dest.tags));
  if (mtls && routesThroughZoneEgress(ctx.mesh)) {
    return { kind: 'egress', mesh: mtls.mesh, sni: sniFromTags(dest.tags, mtls.mesh), reachable: services.some((es) => reachableFromZone(es, ctx.zone)) };
  }
  return { kind: 'direct', services };
}

/** What replaces the EDS/mesh-TLS settings of an outbound cluster for an external target. */
export function externalClusterOverrides(name: string, target: ExternalTarget): DeepPartial<Cluster> {
  if (target.kind === 'egress') return { transportSocket: upstreamTlsSocket(target.mesh, target.sni, ZONE_EGRESS_SERVICE) };
  return { edsClusterConfig: undefined, transportSocket: undefined, ...externalClusterParts(name, target.services) };
}

/** The EDS endpoints of an egress-routed external cluster: every local ZoneEgress, weight 1. */
export function externalEgressAssignment(name: string, ctx: MeshContext, target: ExternalTarget & { kind: 'egress' }): ClusterLoadAssignment {
  const eps = target.reachable ? egressEndpoints(ctx.zoneEgresses, { tags: {} }) : [];
  return ClusterLoadAssignment.fromPartial({
    clusterName: name,
    endpoints: eps.length
      ? [
          {
            ...(ctx.zone ? { locality: { zone: ctx.zone } } : {}),
            lbEndpoints: eps.map((ep) => ({ hostIdentifier: { $case: 'endpoint' as const, value: { address: socketAddress(ep.address, ep.port) } }, loadBalancingWeight: 1 })),
          },
        ]
      : [],
  });
}
