/**
 * The HostnameGenerators a CP creates on start (Kuma's defaults, docs "HostnameGenerator"):
 * a zone makes the `local-*` ones (its own MeshServices and MeshExternalServices), the global the
 * `synced-*` ones that every zone receives (copies of other zones' MeshServices, and what the global
 * authors). Created once; a user may edit or delete them afterwards.
 */
import { LABEL, type ResourceInput } from '../resources/model';
import type { ResourceStore } from '../store/resource-store';

interface Default {
  name: string;
  kind: 'meshService' | 'meshExternalService' | 'meshMultiZoneService';
  matchLabels: Record<string, string>;
  template: string;
}

const ZONE_DEFAULTS: Default[] = [
  { name: 'local-universal-mesh-service', kind: 'meshService', matchLabels: { [LABEL.origin]: 'zone' }, template: '{{ .DisplayName }}.svc.mesh.local' },
  { name: 'local-mesh-external-service', kind: 'meshExternalService', matchLabels: { [LABEL.origin]: 'zone' }, template: '{{ .DisplayName }}.extsvc.mesh.local' },
];

const GLOBAL_DEFAULTS: Default[] = [
  {
    name: 'synced-kube-mesh-service',
    kind: 'meshService',
    matchLabels: { [LABEL.origin]: 'global', [LABEL.env]: 'kubernetes' },
    template: '{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local',
  },
  {
    name: 'synced-universal-mesh-service',
    kind: 'meshService',
    matchLabels: { [LABEL.origin]: 'global', [LABEL.env]: 'universal' },
    template: '{{ .DisplayName }}.svc.{{ .Zone }}.mesh.local',
  },
  { name: 'synced-mesh-multi-zone-service', kind: 'meshMultiZoneService', matchLabels: { [LABEL.origin]: 'global' }, template: '{{ .DisplayName }}.mzsvc.mesh.local' },
  { name: 'synced-mesh-external-service', kind: 'meshExternalService', matchLabels: { [LABEL.origin]: 'global' }, template: '{{ .DisplayName }}.extsvc.mesh.local' },
];

/** The defaults of a CP in `mode` (zone name for a zone's origin labels). */
export function defaultHostnameGenerators(mode: 'global' | 'zone', zone: string): ResourceInput[] {
  const list = mode === 'global' ? GLOBAL_DEFAULTS : ZONE_DEFAULTS;
  const labels: Record<string, string> = mode === 'zone' ? { [LABEL.origin]: 'zone', ...(zone ? { [LABEL.zone]: zone } : {}) } : {};
  return list.map((d) => ({
    type: 'HostnameGenerator',
    mesh: '',
    name: d.name,
    labels: { ...labels },
    spec: { selector: { [d.kind]: { matchLabels: { ...d.matchLabels } } }, template: d.template },
  }));
}

/** Creates the missing defaults; returns the names created. */
export async function ensureDefaultHostnameGenerators(store: ResourceStore, mode: 'global' | 'zone', zone: string): Promise<string[]> {
  const created: string[] = [];
  for (const hg of defaultHostnameGenerators(mode, zone)) {
    if (store.get(hg)) continue;
    try {
      await store.create(hg);
      created.push(hg.name);
    } catch (e) {
      // Another instance of the CP created it meanwhile.
      if (!store.get(hg)) throw e;
    }
  }
  return created;
}
