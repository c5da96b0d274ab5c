/**
 * Kuma DNS, the control-plane half (spec kuma-kds-xds.md §3.8; Kuma pkg/dns/vips): which names a
 * mesh has, and a VIP for each from `dnsServer.cidr`, kept stable across restarts.
 *
 * Pure. The zone CP component (vip-allocator.ts) lists the store and persists what `allocateVips`
 * returns as a `VipAllocation` record per mesh; the xDS reconciler turns that record into the
 * MeshContext's VIP map (`vipMapOf`), the DP server into DNS records for kuma-dp (`vipRecords`).
 *
 * Hostname entries (what gets a VIP) of a mesh:
 *
 * - `service` entries: every kuma.io/service of a local Dataplane inbound (not Ignored; healthy or
 *   not, so a service whose instances all fail their probes keeps its VIP), of a remote zone's
 *   ZoneIngress `availableServices` for this mesh, and of an ExternalService. One outbound on
 *   `serviceVipPort` (80) routing to the service. DNS names: `<service>.<domain>` and, when it
 *   differs, the RFC 1123 form with `_` replaced by `.` (`a_b_svc_80.mesh` == `a.b.svc.80.mesh`).
 * - `host` entries: every host a VirtualOutbound renders (`conf.host` / `conf.port` templates over
 *   `conf.parameters`, evaluated against each tag set above that a selector matches). The outbound
 *   routes to the tags the parameters name (a subset when they name more than kuma.io/service).
 *   When two VirtualOutbounds render the same host and port with different tags, the one with the
 *   better selector rank wins, then the first by name.
 *
 * Allocation: existing assignments are kept, new entries take the lowest free address of the
 * CIDR (the network and broadcast addresses of a prefix shorter than /31 are never used), entries
 * that are no longer in the view are dropped (their address becomes free again). An exhausted
 * CIDR is an error naming the key to change.
 */
import { KumaError } from '../errors';
import { LABEL, TAG, type Resource } from '../resources/model';
import { isRemoteIngress, zoneIngressView } from '../xds/context/cross-zone';
import { dataplaneView } from '../xds/context/dataplane-view';
import { canonicalJson } from '../xds/context/mesh-context';
import { compareRank, rankOf, selectorMatches, type Rank } from '../xds/policies/selectors';

/** The store type of the persisted allocation (owned by the zone CP; not in the type registry, never synced). */
export const VIP_ALLOCATION_TYPE = 'VipAllocation';

/** The TTL of Kuma DNS answers (Kuma's embedded DNS uses 30 s). */
export const DEFAULT_DNS_TTL_S = 30;

export function vipAllocationKey(mesh: string): { type: string; mesh: string; name: string } {
  return { type: VIP_ALLOCATION_TYPE, mesh, name: `vips-${mesh}` };
}

export type VipEntryKind = 'service' | 'host';

export interface VipOutbound {
  port: number;
  /** Destination tags, kuma.io/service included. */
  tags: Record<string, string>;
}

/** One hostname entry of a mesh's view: what needs a VIP. */
export interface VipViewEntry {
  kind: VipEntryKind;
  /** The service name (kind service) or the full host (kind host). */
  name: string;
  outbounds: VipOutbound[];
}

/** One persisted assignment. */
export interface VipAssignment extends VipViewEntry {
  ip: string;
}

/** The spec of a `VipAllocation` record. */
export interface VipAllocationSpec {
  cidr: string;
  domain: string;
  serviceVipPort: number;
  /** Sorted by kind, then name. */
  entries: VipAssignment[];
}

/** What a MeshContext needs per host (MeshContextInput.vips). */
export interface MeshVip {
  ip: string;
  port: number;
  service: string;
  /** Destination tags when they name more than the service (VirtualOutbound subsets). */
  tags?: Record<string, string>;
}

/** One DNS name kuma-dp answers (GET /dns on the DP server). */
export interface VipRecord {
  name: string;
  ip: string;
  port: number;
}

export class VipAllocationError extends KumaError {
  constructor(message: string) {
    super('KUMA_CONFIG', message);
    this.name = 'VipAllocationError';
  }
}

// ---------------------------------------------------------------------------------------------
// IPv4 CIDR arithmetic

export interface Cidr {
  /** First address of the prefix, as an unsigned 32-bit number. */
  base: number;
  prefix: number;
  /** Number of addresses in the prefix. */
  size: number;
}

export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses `a.b.c.d/len` (IPv4 only); throws VipAllocationError naming `dnsServer.cidr`. */
export function parseCidr(cidr: string): Cidr {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(cidr.trim());
  const ip = m ? ipToNumber(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) {
    throw new VipAllocationError(`dnsServer.cidr: "${cidr}" is not an IPv4 CIDR such as 240.0.0.0/4 (KUMA_DNS_SERVER_CIDR)`);
  }
  const size = 2 ** (32 - prefix);
  const base = ip - (ip % size);
  return { base, prefix, size };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const n = ipToNumber(ip);
  return n !== undefined && n >= c.base && n < c.base + c.size && usable(c, n);
}

/** Network and broadcast addresses of prefixes up to /30 are not handed out. */
function usable(c: Cidr, n: number): boolean {
  if (c.prefix >= 31) return true;
  return n !== c.base && n !== c.base + c.size - 1;
}

// ---------------------------------------------------------------------------------------------
// Names

/** The RFC 1123 form of a service name: `_` replaced by `.`. */
export function rfc1123Name(service: string): string {
  return service.replace(/_/g, '.');
}

/** The DNS names of a service entry: `<service>.<domain>`, and the dotted form when it differs. */
export function serviceHostnames(service: string, domain: string): string[] {
  const names = [`${service}.${domain}`];
  const dotted = `${rfc1123Name(service)}.${domain}`;
  if (dotted !== names[0]) names.push(dotted);
  return names;
}

// ---------------------------------------------------------------------------------------------
// The view: what needs a VIP

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function tagsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === 'string') out[k] = val;
  return out;
}

export interface VipViewInput {
  mesh: string;
  /** This zone's name (remote ingresses are those of other zones). */
  zone: string;
  serviceVipPort: number;
  /** Dataplanes of the mesh (those labelled with another zone are skipped). */
  dataplanes: readonly Resource[];
  /** Every ZoneIngress of the store; only remote ones' availableServices of this mesh count. */
  zoneIngresses: readonly Resource[];
  externalServices: readonly Resource[];
  virtualOutbounds: readonly Resource[];
}

interface VirtualOutboundConf {
  name: string;
  selectors: Record<string, string>[];
  host: string;
  port: string;
  parameters: { name: string; tagKey: string }[];
}

function virtualOutboundConf(vo: Resource): VirtualOutboundConf | undefined {
  const conf = obj(vo.spec.conf);
  if (typeof conf.host !== 'string' || typeof conf.port !== 'string') return undefined;
  const parameters: { name: string; tagKey: string }[] = [];
  for (const p of Array.isArray(conf.parameters) ? conf.parameters : []) {
    const name = obj(p).name;
    const tagKey = obj(p).tagKey;
    if (typeof name !== 'string' || name === '') continue;
    parameters.push({ name, tagKey: typeof tagKey === 'string' && tagKey !== '' ? tagKey : name });
  }
  const selectors = (Array.isArray(vo.spec.selectors) ? vo.spec.selectors : []).map((s) => tagsOf(obj(s).match));
  return { name: vo.name, selectors, host: conf.host, port: conf.port, parameters };
}

/**
 * Renders a VirtualOutbound template (`{{.name}}` actions only, as the validator enforces).
 * Undefined when a parameter has no value for this tag set.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string | undefined {
  let missing = false;
  const out = template.replace(/\{\{\s*\.([a-zA-Z0-9]+)\s*\}\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing || out.includes('{{') ? undefined : out;
}

interface HostCandidate {
  host: string;
  port: number;
  tags: Record<string, string>;
  rank: Rank;
  vo: string;
}

function virtualOutboundCandidates(vo: VirtualOutboundConf, tags: Readonly<Record<string, string>>): HostCandidate | undefined {
  let best: Rank | undefined;
  for (const s of vo.selectors) {
    if (!selectorMatches(s, tags)) continue;
    const r = rankOf(s);
    if (!best || compareRank(r, best) > 0) best = r;
  }
  if (!best) return undefined;
  const values: Record<string, string> = {};
  const outTags: Record<string, string> = {};
  for (const p of vo.parameters) {
    const v = tags[p.tagKey];
    if (v === undefined) continue;
    values[p.name] = v;
    outTags[p.tagKey] = v;
  }
  if (!outTags[TAG.service]) return undefined;
  const host = renderTemplate(vo.host, values);
  const portText = renderTemplate(vo.port, values);
  if (!host || portText === undefined || !/^\d+$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  return { host: host.toLowerCase().replace(/\.$/, ''), port, tags: outTags, rank: best, vo: vo.name };
}

/** Every tag set of the mesh a VirtualOutbound may match, and the services behind them. */
function meshTagSets(input: VipViewInput): { services: Set<string>; tagSets: Record<string, string>[] } {
  const services = new Set<string>();
  const tagSets: Record<string, string>[] = [];
  for (const dp of input.dataplanes) {
    if (dp.mesh !== input.mesh) continue;
    const dpZone = dp.labels[LABEL.zone];
    if (dpZone && input.zone && dpZone !== input.zone) continue;
    for (const ib of dataplaneView(dp).inbounds) {
      if (ib.state === 'Ignored' || !ib.service) continue;
      services.add(ib.service);
      tagSets.push({ ...ib.tags });
    }
  }
  for (const zi of input.zoneIngresses) {
    const v = zoneIngressView(zi);
    if (!isRemoteIngress(v, input.zone)) continue;
    for (const s of v.availableServices) {
      if (s.mesh !== input.mesh || s.externalService) continue;
      const service = s.tags[TAG.service];
      if (!service) continue;
      services.add(service);
      tagSets.push({ ...s.tags });
    }
  }
  for (const es of input.externalServices) {
    if (es.mesh !== input.mesh) continue;
    const tags = tagsOf(es.spec.tags);
    const service = tags[TAG.service];
    if (!service) continue;
    services.add(service);
    tagSets.push(tags);
  }
  return { services, tagSets };
}

function entryKey(kind: VipEntryKind, name: string): string {
  return `${kind}\u0000${name}`;
}

function compareEntries(a: { kind: string; name: string }, b: { kind: string; name: string }): number {
  if (a.kind !== b.kind) return a.kind === 'service' ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The hostname entries of a mesh, sorted by kind (services first) then name. */
export function buildVipView(input: VipViewInput): VipViewEntry[] {
  const { services, tagSets } = meshTagSets(input);
  const entries = new Map<string, VipViewEntry>();
  for (const service of services) {
    entries.set(entryKey('service', service), { kind: 'service', name: service, outbounds: [{ port: input.serviceVipPort, tags: { [TAG.service]: service } }] });
  }
  // VirtualOutbound hosts: per (host, port) the best candidate (rank, then VirtualOutbound name).
  const vos = input.virtualOutbounds
    .filter((vo) => vo.mesh === input.mesh)
    .map(virtualOutboundConf)
    .filter((v): v is VirtualOutboundConf => !!v)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const best = new Map<string, HostCandidate>();
  for (const tags of tagSets) {
    for (const vo of vos) {
      const c = virtualOutboundCandidates(vo, tags);
      if (!c) continue;
      const key = `${c.host}\u0000${c.port}`;
      const prev = best.get(key);
      if (!prev || compareRank(c.rank, prev.rank) > 0 || (compareRank(c.rank, prev.rank) === 0 && c.vo < prev.vo)) best.set(key, c);
    }
  }
  for (const c of best.values()) {
    const key = entryKey('host', c.host);
    let e = entries.get(key);
    if (!e) entries.set(key, (e = { kind: 'host', name: c.host, outbounds: [] }));
    e.outbounds.push({ port: c.port, tags: c.tags });
  }
  for (const e of entries.values()) e.outbounds.sort((a, b) => a.port - b.port);
  return [...entries.values()].sort(compareEntries);
}

// ---------------------------------------------------------------------------------------------
// Allocation

export interface AllocateOptions {
  cidr: string;
  domain: string;
  serviceVipPort: number;
}

/**
 * The new allocation for `view`, keeping every assignment of `previous` whose entry is still in
 * the view (and whose address is still inside the CIDR), giving new entries the lowest free
 * addresses. Throws VipAllocationError when the CIDR has no free address left.
 */
export function allocateVips(previous: VipAllocationSpec | undefined, view: readonly VipViewEntry[], opts: AllocateOptions): VipAllocationSpec {
  const cidr = parseCidr(opts.cidr);
  const kept = new Map<string, string>();
  const used = new Set<number>();
  for (const e of previous?.entries ?? []) {
    if (!cidrContains(cidr, e.ip)) continue;
    const n = ipToNumber(e.ip)!;
    if (used.has(n)) continue; // a corrupted record: the second holder gets a new address
    kept.set(entryKey(e.kind, e.name), e.ip);
    used.add(n);
  }
  const wanted = new Set(view.map((e) => entryKey(e.kind, e.name)));
  // Addresses of entries that left the view are free again.
  for (const [key, ip] of kept) {
    if (!wanted.has(key)) {
      used.delete(ipToNumber(ip)!);
      kept.delete(key);
    }
  }
  let next = cidr.base;
  const end = cidr.base + cidr.size;
  const take = (): string => {
    for (; next < end; next++) {
      if (!usable(cidr, next) || used.has(next)) continue;
      used.add(next);
      return numberToIp(next++);
    }
    throw new VipAllocationError(
      `dnsServer.cidr ${opts.cidr} has no free address left for ${view.length} hostname entries; use a larger CIDR (KUMA_DNS_SERVER_CIDR)`,
    );
  };
  const entries: VipAssignment[] = view.map((e) => {
    const ip = kept.get(entryKey(e.kind, e.name)) ?? take();
    return { kind: e.kind, name: e.name, ip, outbounds: e.outbounds.map((o) => ({ port: o.port, tags: { ...o.tags } })) };
  });
  entries.sort(compareEntries);
  return { cidr: opts.cidr, domain: opts.domain, serviceVipPort: opts.serviceVipPort, entries };
}

/** Reads a stored spec; undefined when it is not a VipAllocation spec. */
export function vipAllocationSpec(spec: unknown): VipAllocationSpec | undefined {
  const s = obj(spec);
  if (typeof s.cidr !== 'string' || typeof s.domain !== 'string' || !Array.isArray(s.entries)) return undefined;
  const entries: VipAssignment[] = [];
  for (const raw of s.entries) {
    const e = obj(raw);
    if ((e.kind !== 'service' && e.kind !== 'host') || typeof e.name !== 'string' || typeof e.ip !== 'string') continue;
    const outbounds: VipOutbound[] = [];
    for (const o of Array.isArray(e.outbounds) ? e.outbounds : []) {
      const port = obj(o).port;
      if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) outbounds.push({ port, tags: tagsOf(obj(o).tags) });
    }
    entries.push({ kind: e.kind, name: e.name, ip: e.ip, outbounds });
  }
  const port = typeof s.serviceVipPort === 'number' ? s.serviceVipPort : 80;
  return { cidr: s.cidr, domain: s.domain, serviceVipPort: port, entries };
}

/** Whether two allocations would be stored alike (the allocator writes only on a difference). */
export function vipAllocationsEqual(a: VipAllocationSpec | undefined, b: VipAllocationSpec | undefined): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/**
 * The DNS names of an allocation with their VIP and port, sorted by name then port. A name claimed
 * twice (a service `a.b` and the dotted form of `a_b`, or a VirtualOutbound host equal to a service
 * name) keeps the first claimant: exact service names, then dotted forms, then VirtualOutbound hosts.
 */
export function vipRecords(spec: VipAllocationSpec | undefined): (VipRecord & { service: string; tags: Record<string, string> })[] {
  if (!spec) return [];
  const byName = new Map<string, { ip: string; outbounds: VipOutbound[] }>();
  const claim = (name: string, ip: string, outbounds: VipOutbound[]) => {
    const key = name.toLowerCase();
    if (!byName.has(key)) byName.set(key, { ip, outbounds });
  };
  const services = spec.entries.filter((e) => e.kind === 'service');
  for (const e of services) claim(`${e.name}.${spec.domain}`, e.ip, e.outbounds);
  for (const e of services) for (const n of serviceHostnames(e.name, spec.domain).slice(1)) claim(n, e.ip, e.outbounds);
  for (const e of spec.entries) if (e.kind === 'host') claim(e.name, e.ip, e.outbounds);
  const out: (VipRecord & { service: string; tags: Record<string, string> })[] = [];
  for (const name of [...byName.keys()].sort()) {
    const { ip, outbounds } = byName.get(name)!;
    for (const o of outbounds) out.push({ name, ip, port: o.port, service: o.tags[TAG.service] ?? '', tags: o.tags });
  }
  return out;
}

/**
 * MeshContextInput.vips from a stored VipAllocation record: host -> {ip, port, service, tags}.
 * A host with several ports (a VirtualOutbound rendering one host with several ports) has its
 * lowest port under the host and the others under `<host>:<port>`.
 */
export function vipMapOf(allocation: Pick<Resource, 'spec'> | undefined): Map<string, MeshVip> {
  const map = new Map<string, MeshVip>();
  for (const r of vipRecords(allocation ? vipAllocationSpec(allocation.spec) : undefined)) {
    const key = map.has(r.name) ? `${r.name}:${r.port}` : r.name;
    const onlyService = Object.keys(r.tags).length === 1 && r.tags[TAG.service] !== undefined;
    map.set(key, { ip: r.ip, port: r.port, service: r.service, ...(onlyService ? {} : { tags: { ...r.tags } }) });
  }
  return map;
}
