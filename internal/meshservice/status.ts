/**
 * The `status` Kuma shows on a MeshService, MeshMultiZoneService or MeshExternalService, shaped as
 * Go's encoding/json writes Kuma's status structs (fields in struct order, omitempty ones left
 * out, struct-valued fields always present, so an empty MeshService status is
 * `{tls: {}, dataplaneProxies: {}}` and one of a MeshExternalService `{vip: {}}`):
 *
 * - MeshService (meshservice/api MeshServiceStatus): addresses, vips, tls, hostnameGenerators,
 *   dataplaneProxies (counts left out when 0). tls and dataplaneProxies are the zone's view of its
 *   own MeshServices (dataplane-proxies.ts); copies from other zones show them empty.
 * - MeshMultiZoneService: addresses, vips, meshServices (the MeshServices its labels select, by
 *   KRI parts), hostnameGenerators, conditions (MeshServicesMatched).
 * - MeshExternalService: vip, addresses, hostnameGenerators.
 *
 * This zone computes every part (VIPs: vip-allocator.ts, hostnames: hostname-assignment.ts) and
 * keeps them out of the resource, so the status is put together when the resource is read. Pure.
 */
import type { Spec } from '../resources/model';
import type { AssignedHostnames } from './hostname-assignment';
import type { DataplaneProxies } from './dataplane-proxies';

function addressesOf(h: AssignedHostnames | undefined): Spec {
  if (!h) return {};
  const out: Spec = {};
  if (h.addresses.length) out.addresses = h.addresses.map((a) => ({ hostname: a.hostname, origin: 'HostnameGenerator', hostnameGeneratorRef: { coreName: a.generator } }));
  return out;
}

function generatorsOf(h: AssignedHostnames | undefined): Spec {
  if (!h || h.generators.length === 0) return {};
  return { hostnameGenerators: h.generators.map((g) => ({ hostnameGeneratorRef: { coreName: g.generator }, conditions: [{ ...g.condition }] })) };
}

export interface MeshServiceStatusParts {
  hostnames?: AssignedHostnames;
  vip?: string;
  /** The zone's view of its own MeshService; absent for a copy from another zone. */
  proxies?: { dataplaneProxies: DataplaneProxies; tls: 'Ready' | 'NotReady' };
}

export function meshServiceStatus(p: MeshServiceStatusParts): Spec {
  const dpp: Spec = {};
  if (p.proxies) for (const k of ['connected', 'healthy', 'total'] as const) if (p.proxies.dataplaneProxies[k] > 0) dpp[k] = p.proxies.dataplaneProxies[k];
  return {
    ...addressesOf(p.hostnames),
    ...(p.vip ? { vips: [{ ip: p.vip }] } : {}),
    tls: p.proxies ? { status: p.proxies.tls } : {},
    ...generatorsOf(p.hostnames),
    dataplaneProxies: dpp,
  };
}

/** One matched MeshService as Kuma names it (its KRI parts: display name, namespace, zone, mesh). */
export interface MatchedMeshService {
  name: string;
  namespace: string;
  zone: string;
  mesh: string;
}

export interface MultiZoneServiceStatusParts {
  hostnames?: AssignedHostnames;
  vip?: string;
  /** undefined where Kuma does not compute the match (the global). */
  meshServices?: readonly MatchedMeshService[];
}

function matchedKey(m: MatchedMeshService): string {
  return `${m.mesh}/${m.zone}/${m.namespace}/${m.name}`;
}

export function multiZoneServiceStatus(p: MultiZoneServiceStatusParts): Spec | undefined {
  const out: Spec = { ...addressesOf(p.hostnames), ...(p.vip ? { vips: [{ ip: p.vip }] } : {}) };
  const matched = p.meshServices ? [...p.meshServices].sort((a, b) => (matchedKey(a) < matchedKey(b) ? -1 : matchedKey(a) > matchedKey(b) ? 1 : 0)) : undefined;
  if (matched?.length) out.meshServices = matched.map((m) => ({ name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}), ...(m.zone ? { zone: m.zone } : {}), ...(m.mesh ? { mesh: m.mesh } : {}) }));
  Object.assign(out, generatorsOf(p.hostnames));
  if (matched) {
    out.conditions = [
      matched.length
        ? { type: 'MeshServicesMatched', status: 'True', reason: 'MatchesFound', message: `Matched ${matched.length} MeshService(s)` }
        : { type: 'MeshServicesMatched', status: 'False', reason: 'NoMatchesFound', message: 'Selector does not match any MeshService in this zone' },
    ];
  }
  return Object.keys(out).length ? out : undefined;
}

export function externalServiceStatus(p: { hostnames?: AssignedHostnames; vip?: string }): Spec {
  return { vip: p.vip ? { ip: p.vip } : {}, ...addressesOf(p.hostnames), ...generatorsOf(p.hostnames) };
}
