/**
 * Kuma DNS records of the MeshService family (spec kuma-kds-xds.md §3.8): every hostname a
 * HostnameGenerator gives a MeshService, MeshMultiZoneService or MeshExternalService of the mesh,
 * answered with the resource's VIP in this zone, one record per port. A hostname claimed twice
 * keeps the first claimant (kinds in that order, resources by name). Pure; the DP server adds
 * them to GET /dns.
 */
import type { Resource } from '../resources/model';
import { hostnamesOf } from './hostnames';
import { obj, portsOf } from './labels';
import type { MsVips, VipKind } from './vips';

export interface MsDnsInput {
  meshServices: readonly Resource[];
  multiZoneServices: readonly Resource[];
  externalServices: readonly Resource[];
  hostnameGenerators: readonly Resource[];
  vips: MsVips;
}

export function meshServiceDnsRecords(input: MsDnsInput): { name: string; ip: string; port: number }[] {
  const out: { name: string; ip: string; port: number }[] = [];
  const claimed = new Set<string>();
  const kinds: [VipKind, readonly Resource[]][] = [
    ['MeshService', input.meshServices],
    ['MeshMultiZoneService', input.multiZoneServices],
    ['MeshExternalService', input.externalServices],
  ];
  for (const [kind, list] of kinds) {
    for (const r of [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const ip = input.vips[kind][r.name];
      if (!ip) continue;
      const ports = kind === 'MeshExternalService' ? [obj(r.spec.match).port].filter((p): p is number => typeof p === 'number') : portsOf(r.spec).map((p) => p.port);
      for (const h of hostnamesOf(kind, r, input.hostnameGenerators)) {
        if (claimed.has(h.hostname)) continue;
        claimed.add(h.hostname);
        for (const port of ports) out.push({ name: h.hostname, ip, port });
      }
    }
  }
  return out;
}
