/**
 * The `status` Kuma shows on a MeshService, MeshMultiZoneService or MeshExternalService
 * (meshservice/api/v1alpha1 MeshServiceStatus): the hostnames its HostnameGenerators give it,
 * its VIP in this zone and which generators made them. This zone computes them (VIPs:
 * vip-allocator.ts, hostnames: hostnames.ts) and keeps them out of the resource, so the status is
 * put together when the resource is read. Pure. Proxy counts and TLS readiness are not reported.
 */
import type { Resource, Spec } from '../resources/model';
import { hostnamesOf } from './hostnames';
import type { MsVips, VipKind } from './vips';

export function meshServiceStatus(kind: VipKind, r: Resource, generators: readonly Resource[], vips: MsVips): Spec | undefined {
  const hostnames = hostnamesOf(kind, r, generators);
  const ip = vips[kind][r.name];
  if (hostnames.length === 0 && !ip) return undefined;
  const status: Spec = {};
  if (hostnames.length > 0) {
    status.addresses = hostnames.map((h) => ({ hostname: h.hostname, origin: 'HostnameGenerator', hostnameGeneratorRef: { coreName: h.generator } }));
  }
  if (ip) status.vips = [{ ip }];
  if (hostnames.length > 0) {
    status.hostnameGenerators = [...new Set(hostnames.map((h) => h.generator))].map((coreName) => ({
      hostnameGeneratorRef: { coreName },
      conditions: [{ type: 'Generated', status: 'True', reason: 'Generated', message: '' }],
    }));
  }
  return status;
}
