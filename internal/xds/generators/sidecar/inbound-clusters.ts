/**
 * Clusters of the application behind each inbound: `localhost:<servicePort>`, STATIC to
 * serviceAddress (127.0.0.1 by default). HTTP/2 and gRPC applications are spoken to over HTTP/2.
 * Connect and idle timeouts come from the inbound's MeshTimeout (`from`, whole-listener conf); a
 * grpc application's HTTP options stay at the inbound defaults (envoy/timeouts.ts says why).
 */
import { Cluster, Cluster_DiscoveryType } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import { isHttp2, isHttpFamily, parseProtocol } from '../../context/protocol';
import type { MeshContext, ProxyContext } from '../../context/types';
import { type SidecarMemo, meshMemo, sameValue } from '../memo';
import { proxyPolicies } from '../../policies/proxy-policies';
import { httpProtocolOptions, socketAddress } from '../envoy/common';
import { localClusterName, statName } from '../envoy/names';
import { type ClusterHttpTimeouts, inboundClusterHttpTimeouts, inboundTimeouts } from '../envoy/timeouts';
import { duration } from '../envoy/values';
import { ORIGIN, type TaggedResource, cluster } from '../types';

interface InboundClusterInputs {
  name: string;
  serviceAddress: string;
  servicePort: number;
  protocol: string;
  connectMs: number;
  http: ClusterHttpTimeouts;
}

function build(i: InboundClusterInputs): Cluster {
  const { name, protocol } = i;
  return Cluster.fromPartial({
    name,
    altStatName: statName(name),
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.STATIC },
    connectTimeout: duration(i.connectMs),
    loadAssignment: {
      clusterName: name,
      endpoints: [{ lbEndpoints: [{ hostIdentifier: { $case: 'endpoint', value: { address: socketAddress(i.serviceAddress, i.servicePort) } } }] }],
    },
    ...(isHttpFamily(protocol)
      ? {
          typedExtensionProtocolOptions: httpProtocolOptions(isHttp2(protocol), i.http),
        }
      : {}),
  });
}

export function inboundClusters(proxy: ProxyContext, ctx: MeshContext, memo?: SidecarMemo): TaggedResource[] {
  const pp = proxyPolicies(proxy.dataplane, ctx);
  const cache = meshMemo(ctx, memo).inboundClusters;
  const out: TaggedResource[] = [];
  const seen = new Set<string>();
  for (const inbound of pp.dp.inbounds) {
    if (inbound.state === 'Ignored' || !inbound.port) continue;
    const name = localClusterName(inbound.servicePort);
    if (seen.has(name)) continue;
    seen.add(name);
    const protocol = parseProtocol(inbound.tags['kuma.io/protocol']);
    const inputs: InboundClusterInputs = {
      name,
      serviceAddress: inbound.serviceAddress,
      servicePort: inbound.servicePort,
      protocol,
      connectMs: inboundTimeouts(pp, inbound).connectMs,
      http: inboundClusterHttpTimeouts(pp, inbound, protocol),
    };
    // Most proxies' application clusters are alike (localhost:<port>, mesh-wide timeouts): shared.
    let built = cache.get(name);
    if (!built) cache.set(name, (built = []));
    let c = built.find((b) => sameValue(b.inputs, inputs))?.cluster;
    if (!c) built.push({ inputs, cluster: (c = build(inputs)) });
    out.push(cluster(name, ORIGIN.inbound, c));
  }
  return out;
}
