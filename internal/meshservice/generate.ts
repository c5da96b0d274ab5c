/**
 * Which MeshServices a zone generates from its Dataplanes (Kuma's meshservice generator, spec
 * kuma-kds-xds.md §2.5): in a Mesh whose `meshServices.mode` is Exclusive or Everywhere, one per
 * kuma.io/service of the zone's inbounds (Ignored ones aside), selecting `kuma.io/service: <svc>`,
 * with a port per distinct inbound port (appProtocol from kuma.io/protocol, name from the inbound
 * name), identity ServiceTag <svc>, state Available while an instance is ready. Pure.
 */
import { LABEL, TAG, type Resource, type ResourceInput } from '../resources/model';
import { dataplaneView } from '../xds/context/dataplane-view';
import { GENERATOR, MANAGED_BY, obj } from './labels';

const GENERATING_MODES = new Set(['Exclusive', 'Everywhere']);
// Kuma's resource name rule: a service name that breaks it gets no MeshService.
const NAME = /^[a-z0-9]([a-z0-9.\-_]*[a-z0-9])?$/;

export function generatesMeshServices(mesh: Resource): boolean {
  return GENERATING_MODES.has(obj(mesh.spec.meshServices).mode as string);
}

/** The MeshServices mesh `mesh` should have generated, sorted by name (none when the mode does not generate). */
export function wantedMeshServices(mesh: Resource, dataplanes: readonly Resource[], zone: string): ResourceInput[] {
  if (!generatesMeshServices(mesh)) return [];
  const byService = new Map<string, { ports: Map<number, { appProtocol: string; name?: string }>; ready: boolean }>();
  for (const dp of dataplanes) {
    const dpZone = dp.labels[LABEL.zone];
    if (dpZone && zone && dpZone !== zone) continue;
    for (const ib of dataplaneView(dp).inbounds) {
      if (ib.state === 'Ignored' || !ib.service || !NAME.test(ib.service) || !ib.port) continue;
      let s = byService.get(ib.service);
      if (!s) byService.set(ib.service, (s = { ports: new Map(), ready: false }));
      if (!s.ports.has(ib.port)) s.ports.set(ib.port, { appProtocol: ib.tags[TAG.protocol] ?? 'tcp', ...(ib.name ? { name: ib.name } : {}) });
      s.ready ||= ib.ready;
    }
  }
  const out: ResourceInput[] = [];
  for (const service of [...byService.keys()].sort()) {
    const s = byService.get(service)!;
    const ports = [...s.ports.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([port, p]) => ({ port, targetPort: port, appProtocol: p.appProtocol, ...(p.name ? { name: p.name } : {}) }));
    out.push({
      type: 'MeshService',
      mesh: mesh.name,
      name: service,
      labels: {
        [LABEL.mesh]: mesh.name,
        // What a MeshMultiZoneService selects the same service of every zone by (copies keep it).
        [LABEL.displayName]: service,
        [LABEL.origin]: 'zone',
        ...(zone ? { [LABEL.zone]: zone } : {}),
        [LABEL.env]: 'universal',
        [MANAGED_BY]: GENERATOR,
      },
      spec: {
        selector: { dataplaneTags: { [TAG.service]: service } },
        ports,
        identities: [{ type: 'ServiceTag', value: service }],
        state: s.ready ? 'Available' : 'Unavailable',
      },
    });
  }
  return out;
}

export function isGenerated(r: Pick<Resource, 'labels'>): boolean {
  return r.labels[MANAGED_BY] === GENERATOR;
}
