/**
 * Kuma DNS records of the MeshService family (spec kuma-kds-xds.md §3.8): every hostname the
 * zone's status gives a MeshService, MeshMultiZoneService or MeshExternalService of the mesh
 * (hostname-assignment.ts: within a kind, a hostname two resources claim goes to the first, as
 * Kuma's DNS answers from `status.addresses`), answered with the resource's VIP in this zone, one
 * record per port. Across kinds, which Kuma does not check, the first kind in the order above keeps
 * a shared hostname so that a name never answers two VIPs. Pure; the DP server adds them to GET /dns.
 */
import type { Resource } from '../resources/model';
import { assignHostnames, hostnamesByName } from './hostname-assignment';
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
    const hostnames = hostnamesByName(assignHostnames(kind, list, input.hostnameGenerators));
    for (const r of [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const ip = input.vips[kind][r.name];
      if (!ip) continue;
      const ports = kind === 'MeshExternalService' ? [obj(r.spec.match).port].filter((p): p is number => typeof p === 'number') : portsOf(r.spec).map((p) => p.port);
      for (const h of hostnames.get(r.name) ?? []) {
        if (claimed.has(h)) continue;
        claimed.add(h);
        for (const port of ports) out.push({ name: h, ip, port });
      }
    }
  }
  return out;
}
