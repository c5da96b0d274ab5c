/**
 * VIPs of the MeshService family (spec kuma-kds-xds.md §3.8: Kuma's `ipam`): every MeshService of
 * the mesh, local or a copy from another zone, gets one from 241.0.0.0/8, every
 * MeshMultiZoneService from 243.0.0.0/8, every MeshExternalService from 242.0.0.0/8. Each zone
 * allocates its own (VIPs are status, never synced). Assignments survive while the resource
 * exists; new ones take the lowest free address. Pure; persisted per mesh as a
 * `MeshServiceVipAllocation` record by vip-allocator.ts (not in the registry: no API, no KDS).
 */
import { cidrContains, ipToNumber, numberToIp, parseCidr, type Cidr } from '../dns/vips';
import { obj } from './labels';

export const MS_VIP_ALLOCATION_TYPE = 'MeshServiceVipAllocation';
export const VIP_KINDS = ['MeshService', 'MeshMultiZoneService', 'MeshExternalService'] as const;
export type VipKind = (typeof VIP_KINDS)[number];

export const DEFAULT_CIDRS: Readonly<Record<VipKind, string>> = {
  MeshService: '241.0.0.0/8',
  MeshExternalService: '242.0.0.0/8',
  MeshMultiZoneService: '243.0.0.0/8',
};

export function msVipAllocationKey(mesh: string): { type: string; mesh: string; name: string } {
  return { type: MS_VIP_ALLOCATION_TYPE, mesh, name: `msvips-${mesh}` };
}

/** kind -> resource name -> VIP. */
export type MsVips = Record<VipKind, Record<string, string>>;

export function emptyVips(): MsVips {
  return { MeshService: {}, MeshMultiZoneService: {}, MeshExternalService: {} };
}

/** Reads a stored record's spec (tolerates anything). */
export function msVipsOf(spec: unknown): MsVips {
  const out = emptyVips();
  const s = obj(spec);
  for (const k of VIP_KINDS) for (const [name, ip] of Object.entries(obj(s[k]))) if (typeof ip === 'string') out[k][name] = ip;
  return out;
}

function take(cidr: Cidr, used: Set<number>, from: { next: number }, label: string): string {
  for (; from.next < cidr.base + cidr.size; from.next++) {
    const n = from.next;
    // Network and broadcast addresses are never handed out.
    if (cidr.prefix < 31 && (n === cidr.base || n === cidr.base + cidr.size - 1)) continue;
    if (used.has(n)) continue;
    used.add(n);
    from.next++;
    return numberToIp(n);
  }
  throw new Error(`the ${label} VIP range has no free address left`);
}

/** The allocation for `wanted` (kind -> names), keeping `previous` assignments still in range. */
export function allocateMsVips(previous: MsVips, wanted: Record<VipKind, readonly string[]>, cidrs: Readonly<Record<VipKind, string>> = DEFAULT_CIDRS): MsVips {
  const out = emptyVips();
  for (const kind of VIP_KINDS) {
    const cidr = parseCidr(cidrs[kind]);
    const names = [...new Set(wanted[kind])].sort();
    const used = new Set<number>();
    for (const name of names) {
      const ip = previous[kind][name];
      if (ip === undefined || !cidrContains(cidr, ip) || used.has(ipToNumber(ip)!)) continue;
      used.add(ipToNumber(ip)!);
      out[kind][name] = ip;
    }
    const from = { next: cidr.base };
    for (const name of names) if (!out[kind][name]) out[kind][name] = take(cidr, used, from, kind);
  }
  return out;
}
