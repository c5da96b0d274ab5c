/**
 * How a resource is renamed and relabelled as it crosses KDS
 * (kuma-kds-xds.md §1.8). Pure.
 */
import { LABEL, type Resource } from '../resources/model';
import type { ResourceDescriptor } from '../resources/registry';
import { hashedName } from './hash';
import { fitToMessage } from './spec-codec';
import type { KdsResource } from './wire';

function displayName(r: Resource): string {
  return r.labels[LABEL.displayName] ?? r.name;
}

/**
 * Global -> zone: origin becomes global ("last hop"); names get the hash suffix unless the type
 * keeps names or the zone did not advertise `hash-suffix` (`hashNames: false`).
 */
export function mapForZone(d: ResourceDescriptor, r: Resource, opts: { hashNames: boolean } = { hashNames: true }): KdsResource {
  const labels: Record<string, string> = { ...r.labels, [LABEL.origin]: 'global' };
  let name = r.name;
  if (!d.kds.keepName && opts.hashNames) {
    const extra = r.labels[LABEL.zone] ? [r.labels[LABEL.zone]!] : [];
    name = hashedName(r.mesh, displayName(r), ...extra);
    if (name !== r.name && !labels[LABEL.displayName]) labels[LABEL.displayName] = r.name;
  }
  return { type: r.type, mesh: r.mesh, name, labels, spec: r.spec };
}

/** Zone -> global: stamped with origin zone and the zone, always renamed with the zone in the hash. */
export function mapForGlobal(r: Resource, zone: string): KdsResource {
  const labels: Record<string, string> = { ...r.labels, [LABEL.origin]: 'zone', [LABEL.zone]: zone };
  const name = hashedName(r.mesh, displayName(r), zone);
  if (!labels[LABEL.displayName]) labels[LABEL.displayName] = r.name;
  return { type: r.type, mesh: r.mesh, name, labels, spec: stripGenerations(r.type, r.spec) };
}

/**
 * Insights a zone writes hold more than Kuma's message (the NACK text, SDS
 * counters): cut to the message's fields, or the spec does not encode and the
 * global never sees the proxy's status. Subscriptions also carry a generation
 * counter that changes without meaning; drop it so it does not churn KDS.
 */
function stripGenerations(type: string, spec: Resource['spec']): Resource['spec'] {
  if (!type.endsWith('Insight')) return spec;
  const fitted = fitToMessage({ name: type, nestedSpec: false }, spec);
  if (!Array.isArray(fitted.subscriptions)) return fitted;
  return { ...fitted, subscriptions: (fitted.subscriptions as Record<string, unknown>[]).map(({ generation: _g, ...s }) => s) };
}

/**
 * What the global stores for a resource received from zone `zone`: labels forced to
 * that zone (a zone cannot speak for another), and zone fields/tags pinned to it.
 */
export function pinToZone(r: KdsResource, zone: string): KdsResource {
  const labels = { ...r.labels, [LABEL.origin]: 'zone', [LABEL.zone]: zone };
  let spec = r.spec;
  if (r.type === 'ZoneIngress' || r.type === 'ZoneEgress') {
    spec = { ...spec, zone };
    if (Array.isArray(spec.availableServices)) {
      spec.availableServices = (spec.availableServices as { tags?: Record<string, string> }[]).map((s) => ({ ...s, tags: { ...s.tags, 'kuma.io/zone': zone } }));
    }
  }
  if (r.type === 'Dataplane') {
    const net = spec.networking as { inbound?: { tags?: Record<string, string> }[]; gateway?: { tags?: Record<string, string> } } | undefined;
    if (net) {
      spec = {
        ...spec,
        networking: {
          ...net,
          ...(net.inbound ? { inbound: net.inbound.map((i) => ({ ...i, tags: { ...i.tags, 'kuma.io/zone': zone } })) } : {}),
          ...(net.gateway ? { gateway: { ...net.gateway, tags: { ...net.gateway.tags, 'kuma.io/zone': zone } } } : {}),
        },
      };
    }
  }
  return { ...r, labels, spec };
}

/** What a zone stores for a resource received from the global. */
export function markFromGlobal(r: KdsResource): KdsResource {
  return { ...r, labels: { ...r.labels, [LABEL.origin]: 'global' } };
}
