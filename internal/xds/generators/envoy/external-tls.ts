/**
 * Clusters towards an ExternalService's real host (Kuma pkg/xds/envoy/clusters ProvidedEndpointCluster
 * + ClientSideTLS, pkg/xds/envoy/tls/v3 UpstreamTlsContextOutsideMesh): STRICT_DNS for a name,
 * STATIC for IP literals, IPv4 lookups, and TLS origination when the ExternalService enables it.
 * Used by the sidecar (direct path) and by the zone egress.
 */
import { Cluster_DiscoveryType, Cluster_DnsLookupFamily, type Cluster } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import type { TransportSocket } from '../../../../proto/gen/envoy/config/core/v3/base';
import { SubjectAltNameMatcher_SanType } from '../../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/common';
import { UpstreamTlsContext } from '../../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/tls';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { pack } from '../../../proto/any';
import type { ExternalServiceView, ExternalTls } from '../../context/external-services';
import { socketAddress } from './common';
import { TLS_TRANSPORT_SOCKET } from './tls';

function inlineBytes(b64: string): { specifier: { $case: 'inlineBytes'; value: Buffer } } {
  return { specifier: { $case: 'inlineBytes', value: Buffer.from(b64, 'base64') } };
}

/** TLS origination to the external host: SNI, optional client certificate, CA and name verification. */
export function externalTlsSocket(tls: ExternalTls): DeepPartial<TransportSocket> {
  const ctx: DeepPartial<UpstreamTlsContext> = {
    ...(tls.sni ? { sni: tls.sni } : {}),
    ...(tls.allowRenegotiation ? { allowRenegotiation: true } : {}),
  };
  const common: DeepPartial<UpstreamTlsContext>['commonTlsContext'] = {};
  if (tls.clientCertB64 && tls.clientKeyB64) {
    common.tlsCertificates = [{ certificateChain: inlineBytes(tls.clientCertB64), privateKey: inlineBytes(tls.clientKeyB64) }];
  }
  // Without a CA the server is not verified (Kuma without a system CA fallback).
  if (tls.caCertB64) {
    const name = tls.verifyName;
    common.validationContextType = {
      $case: 'validationContext',
      value: {
        trustedCa: inlineBytes(tls.caCertB64),
        ...(name
          ? {
              matchTypedSubjectAltNames: [SubjectAltNameMatcher_SanType.DNS, SubjectAltNameMatcher_SanType.IP_ADDRESS].map((sanType) => ({
                sanType,
                matcher: { matchPattern: { $case: 'exact' as const, value: name } },
              })),
            }
          : {}),
      },
    };
  }
  if (Object.keys(common).length > 0) ctx.commonTlsContext = common;
  return { name: TLS_TRANSPORT_SOCKET, configType: { $case: 'typedConfig', value: pack(UpstreamTlsContext, ctx) } };
}

/**
 * The discovery and endpoint part of a cluster to the hosts of ExternalServices (all of them, weight
 * 1), with the TLS of the first one that enables it. Merge into a cluster built for EDS: it replaces
 * the EDS settings.
 */
export function externalClusterParts(name: string, services: readonly ExternalServiceView[]): DeepPartial<Cluster> {
  const dns = services.some((s) => !s.ip);
  const tls = services.find((s) => s.tls)?.tls;
  return {
    clusterDiscoveryType: { $case: 'type', value: dns ? Cluster_DiscoveryType.STRICT_DNS : Cluster_DiscoveryType.STATIC },
    ...(dns ? { dnsLookupFamily: Cluster_DnsLookupFamily.V4_ONLY } : {}),
    loadAssignment: {
      clusterName: name,
      endpoints: [
        {
          lbEndpoints: services.map((s) => ({
            hostIdentifier: { $case: 'endpoint' as const, value: { address: socketAddress(s.host, s.port) } },
            loadBalancingWeight: 1,
          })),
        },
      ],
    },
    ...(tls ? { transportSocket: externalTlsSocket(tls) } : {}),
  };
}
