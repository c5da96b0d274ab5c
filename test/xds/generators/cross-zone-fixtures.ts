/**
 * Universal YAML for cross-zone cases (spec kuma-kds-xds.md §2.5): this zone is `zone-1` (ZONE);
 * other zones' ZoneIngresses arrive from the global with spec.zone set and origin/zone labels.
 */

/** A ZoneIngress of another zone, as a zone CP stores it after KDS sync. */
export function remoteIngress(opts: {
  name: string;
  zone: string;
  advertisedAddress?: string;
  advertisedPort?: number;
  services?: { service?: string; mesh?: string; instances: number; tags?: Record<string, string> }[];
}): string {
  const services = opts.services ?? [];
  const adv =
    opts.advertisedAddress !== undefined ? `  advertisedAddress: ${opts.advertisedAddress}\n  advertisedPort: ${opts.advertisedPort ?? 10001}\n` : '';
  const list = services
    .map((s) => {
      const tags: Record<string, string> = { 'kuma.io/service': s.service ?? 'backend', 'kuma.io/protocol': 'http', 'kuma.io/zone': opts.zone, ...s.tags };
      return `- mesh: ${s.mesh ?? 'default'}\n  instances: ${s.instances}\n  tags:\n${Object.entries(tags)
        .map(([k, v]) => `    ${k}: ${v}`)
        .join('\n')}`;
    })
    .join('\n');
  return `
type: ZoneIngress
name: ${opts.name}
labels:
  kuma.io/origin: global
  kuma.io/zone: ${opts.zone}
zone: ${opts.zone}
networking:
  address: 10.99.0.1
  port: 10001
${adv}${services.length > 0 ? `availableServices:\n${list}` : ''}
`;
}

/** This zone's own ZoneIngress (spec.zone empty): never an endpoint for local sidecars. */
export const OWN_INGRESS = `
type: ZoneIngress
name: zi-own
networking:
  address: 10.1.0.1
  port: 10001
  advertisedAddress: 198.51.100.1
  advertisedPort: 10001
availableServices:
- mesh: default
  instances: 2
  tags:
    kuma.io/service: backend
    kuma.io/protocol: http
    kuma.io/zone: zone-1
`;

/** `count` local backend instances in zone-1 (192.168.1.<i>:9090), tagged as the zone CP stamps them. */
export function localBackends(count: number, extra: (i: number) => Record<string, string> = () => ({})): string {
  const out: string[] = [];
  for (let i = 1; i <= count; i++) {
    const tags: Record<string, string> = { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http', 'kuma.io/zone': 'zone-1', ...extra(i) };
    out.push(`
type: Dataplane
mesh: default
name: backend-local-${i}
networking:
  address: 192.168.1.${i}
  inbound:
  - port: 9090
    tags:
${Object.entries(tags)
  .map(([k, v]) => `      ${k}: ${v}`)
  .join('\n')}
`);
  }
  return out.join('\n---\n');
}

/**
 * The usual remote picture: zone-2 has 1 instance behind two ingress replicas sharing one load
 * balancer address, zone-3 has 2 instances (v2), zone-4's ingress has no public address yet.
 */
export const REMOTE_ZONES = [
  remoteIngress({ name: 'zi-zone-2-a', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 1, tags: { version: 'v1' } }] }),
  remoteIngress({ name: 'zi-zone-2-b', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 1, tags: { version: 'v1' } }] }),
  remoteIngress({ name: 'zi-zone-3', zone: 'zone-3', advertisedAddress: '203.0.113.3', services: [{ instances: 2, tags: { version: 'v2' } }, { service: 'web', instances: 1 }] }),
  remoteIngress({ name: 'zi-zone-4', zone: 'zone-4', services: [{ instances: 5 }] }),
  OWN_INGRESS,
].join('\n---\n');

export const MESH_MTLS_LOCALITY_AWARE = `
type: Mesh
name: default
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
routing:
  localityAwareLoadBalancing: true
`;

/** Affinity tags node > az, then failover: (zone-9 only: Any), Only zone-3, None, AnyExcept zone-3; threshold 30 %. */
export const MLBS_FAILOVER = `
type: MeshLoadBalancingStrategy
mesh: default
name: backend-locality
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      localityAwareness:
        localZone:
          affinityTags:
          - key: k8s.io/node
          - key: k8s.io/az
        crossZone:
          failover:
          - from:
              zones: [zone-9]
            to:
              type: Any
          - to:
              type: Only
              zones: [zone-3]
          - to:
              type: None
          - to:
              type: AnyExcept
              zones: [zone-3]
          failoverThreshold:
            percentage: 30
`;
