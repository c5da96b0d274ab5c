/**
 * Status of the MeshService family (status.ts) read from a store, for the API and for the zone's
 * KDS sender. One reader per request or KDS refresh: what a status needs is read from the store
 * the first time a resource of that mesh asks for it and shared by the rest (a list of
 * MeshServices indexes the mesh's Dataplanes once, and assigns the mesh's hostnames once per
 * kind). Other types have none.
 *
 * Which source runs is decided at wiring time (control-plane.ts): a zone computes the status of
 * what it stores; the global computes nothing (Kuma runs the hostname generator, the VIP
 * allocator and the status updaters on zones only) and shows what the origin zone sent over KDS
 * (synced-status.ts), else the zero status.
 */
import { isLocal, labelsMatch } from './labels';
import { assignHostnames, type AssignedHostnames } from './hostname-assignment';
import { type DataplaneIndex, dataplaneProxiesOf, indexDataplanes, selectedDataplanes, tlsStatusOf } from './dataplane-proxies';
import { externalServiceStatus, meshServiceStatus, multiZoneServiceStatus } from './status';
import { syncedStatusKey } from './synced-status';
import { VIP_KINDS, type MsVips, type VipKind, msVipAllocationKey, msVipsOf } from './vips';
import { kriPartsOf } from '../resources/kri';
import type { Registry } from '../resources/registry';
import type { Resource, Spec } from '../resources/model';
import type { ResourceStore } from '../store/resource-store';
import { meshMtlsEnabled } from '../xds/context/cross-zone';

const KINDS = new Set<string>(VIP_KINDS);

export type StatusOf = (r: Resource) => Spec | undefined;

/** Makes the status reader of one request. */
export interface StatusSource {
  reader(): StatusOf;
}

interface MeshFacts {
  vips: MsVips;
  hostnames: Partial<Record<VipKind, Map<string, AssignedHostnames>>>;
  dataplanes?: DataplaneIndex;
  mtls?: boolean;
  meshServices?: readonly Resource[];
}

/** A zone CP: every part computed from this zone's store (local zone name for what is local). */
export function zoneStatusSource(store: ResourceStore, registry: Registry, zone: string): StatusSource {
  const msDescriptor = registry.byName('MeshService');
  return {
    reader(): StatusOf {
      let generators: readonly Resource[] | undefined;
      const meshes = new Map<string, MeshFacts>();
      const factsOf = (mesh: string): MeshFacts => {
        let f = meshes.get(mesh);
        if (!f) meshes.set(mesh, (f = { vips: msVipsOf(store.get(msVipAllocationKey(mesh))?.spec), hostnames: {} }));
        return f;
      };
      const hostnamesOf = (kind: VipKind, r: Resource): AssignedHostnames | undefined => {
        const f = factsOf(r.mesh);
        generators ??= store.list('HostnameGenerator').items;
        f.hostnames[kind] ??= assignHostnames(kind, store.list(kind, { mesh: r.mesh }).items, generators);
        return f.hostnames[kind].get(r.name);
      };
      const insightOf = (dp: Resource) => store.get({ type: 'DataplaneInsight', mesh: dp.mesh, name: dp.name })?.spec;
      return (r) => {
        if (!KINDS.has(r.type)) return undefined;
        const kind = r.type as VipKind;
        const f = factsOf(r.mesh);
        const hostnames = hostnamesOf(kind, r);
        const vip = f.vips[kind][r.name];
        if (kind === 'MeshExternalService') return externalServiceStatus({ hostnames, vip });
        if (kind === 'MeshMultiZoneService') {
          const matchLabels = (r.spec.selector as { meshService?: { matchLabels?: Record<string, unknown> } } | undefined)?.meshService?.matchLabels ?? {};
          f.meshServices ??= store.list('MeshService', { mesh: r.mesh }).items;
          const meshServices = f.meshServices
            .filter((ms) => labelsMatch(matchLabels, ms.labels))
            .map((ms) => {
              const k = msDescriptor && kriPartsOf(msDescriptor, ms);
              return { name: k?.name ?? ms.name, namespace: k?.namespace ?? '', zone: k?.zone ?? '', mesh: ms.mesh };
            });
          return multiZoneServiceStatus({ hostnames, vip, meshServices });
        }
        // Only the zone a MeshService lives in counts its proxies (Kuma: IsLocalMeshService).
        if (!isLocal(r, zone)) return meshServiceStatus({ hostnames, vip });
        f.dataplanes ??= indexDataplanes(store.list('Dataplane', { mesh: r.mesh }).items, zone);
        f.mtls ??= (() => {
          const mesh = store.get({ type: 'Mesh', mesh: '', name: r.mesh });
          return mesh ? meshMtlsEnabled(mesh) : false;
        })();
        const dps = selectedDataplanes(r, f.dataplanes);
        return meshServiceStatus({ hostnames, vip, proxies: { dataplaneProxies: dataplaneProxiesOf(r, dps, insightOf), tls: tlsStatusOf(f.mtls, dps, insightOf) } });
      };
    },
  };
}

/**
 * The global CP: computes nothing of its own. A resource a zone sent shows the status that came
 * with it; otherwise MeshService and MeshExternalService show their zero status (Go writes their
 * struct-valued fields even when empty) and a MeshMultiZoneService none.
 */
export function globalStatusSource(store: ResourceStore): StatusSource {
  return {
    reader(): StatusOf {
      return (r) => {
        if (!KINDS.has(r.type)) return undefined;
        const synced = store.get(syncedStatusKey(r))?.spec.status;
        if (synced && typeof synced === 'object') return synced as Spec;
        if (r.type === 'MeshService') return meshServiceStatus({});
        if (r.type === 'MeshExternalService') return externalServiceStatus({});
        return undefined;
      };
    },
  };
}
