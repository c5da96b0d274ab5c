/**
 * The Envoy bootstrap the DP server hands to `kuma dp run` (kuma-kds-xds.md
 * §3.1, kuma-api-cli.md §4.5). Pure: the same request gives the same file.
 * Envoy gets LDS/CDS over ADS (Delta) from the `ads_cluster`, which points
 * back at the DP server over TLS, verified with the CA kuma-dp trusts; the
 * dataplane token travels as initial gRPC metadata `authorization`.
 */
import { isIP } from 'node:net';

export interface BootstrapParams {
  /** "<mesh>.<name>" (zone proxies: ".<name>"). */
  nodeId: string;
  /** kuma.io/service of the first inbound (or "ingress"/"egress"). */
  cluster: string;
  proxyType: 'dataplane' | 'ingress' | 'egress';
  /** The resource JSON as kuma-dp sent it ("" for a pre-created Dataplane). */
  dataplaneResource: string;
  adminAddress: string;
  adminPort: number;
  xdsHost: string;
  xdsPort: number;
  /** PEM the ADS connection is verified with. */
  caCertPem: string;
  token: string;
  version: unknown;
  features: string[];
  workdir: string;
  dynamicMetadata: Record<string, string>;
  /** kuma-dp's DNS resolver port (`kuma dp run --dns-enabled`); 0 or absent: no DNS. */
  dnsPort?: number;
}

export function envoyBootstrap(p: BootstrapParams): Record<string, unknown> {
  const grpcService: Record<string, unknown> = { envoy_grpc: { cluster_name: 'ads_cluster' } };
  if (p.token) grpcService.initial_metadata = [{ key: 'authorization', value: p.token }];
  return {
    node: {
      id: p.nodeId,
      cluster: p.cluster,
      metadata: {
        'dataplane.resource': p.dataplaneResource,
        'dataplane.admin.port': String(p.adminPort),
        'dataplane.admin.address': p.adminAddress,
        'dataplane.proxyType': p.proxyType,
        ...(p.dnsPort && p.dnsPort > 0 ? { 'dataplane.dns.port': String(p.dnsPort) } : {}),
        dynamicMetadata: p.dynamicMetadata,
        version: p.version,
        features: p.features,
        workdir: p.workdir,
      },
    },
    admin: {
      access_log: [{ name: 'envoy.access_loggers.file', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: '/dev/null' } }],
      address: { socket_address: { address: p.adminAddress, port_value: p.adminPort } },
    },
    layered_runtime: { layers: [{ name: 'kuma', static_layer: { 're2.max_program_size.error_level': 4294967295 } }] },
    dynamic_resources: {
      ads_config: { api_type: 'DELTA_GRPC', transport_api_version: 'V3', grpc_services: [grpcService], set_node_on_first_message_only: true },
      lds_config: { ads: {}, resource_api_version: 'V3', initial_fetch_timeout: '0s' },
      cds_config: { ads: {}, resource_api_version: 'V3', initial_fetch_timeout: '0s' },
    },
    static_resources: {
      clusters: [
        {
          name: 'ads_cluster',
          type: isIP(p.xdsHost) ? 'STATIC' : 'STRICT_DNS',
          connect_timeout: '1s',
          load_assignment: {
            cluster_name: 'ads_cluster',
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: p.xdsHost, port_value: p.xdsPort } } } }] }],
          },
          typed_extension_protocol_options: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
              '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
              explicit_http_config: { http2_protocol_options: { connection_keepalive: { interval: '10s', timeout: '5s' } } },
            },
          },
          upstream_connection_options: { tcp_keepalive: { keepalive_probes: 3, keepalive_time: 10, keepalive_interval: 10 } },
          transport_socket: {
            name: 'envoy.transport_sockets.tls',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
              sni: p.xdsHost,
              common_tls_context: {
                // ALPN h2 makes the DP server route this connection to its gRPC side.
                alpn_protocols: ['h2'],
                validation_context: { trusted_ca: { inline_string: p.caCertPem }, match_typed_subject_alt_names: [sanMatcher(p.xdsHost)] },
              },
            },
          },
        },
      ],
    },
  };
}

function sanMatcher(host: string): Record<string, unknown> {
  return isIP(host) ? { san_type: 'IP_ADDRESS', matcher: { exact: host } } : { san_type: 'DNS', matcher: { exact: host } };
}
