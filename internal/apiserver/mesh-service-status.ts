/**
 * Status for the MeshService family as the API serves it (meshservice/status.ts), read from the
 * store once per request: the HostnameGenerators, and each mesh's VIP allocation the first time
 * one of its resources is shown. Other types have none.
 */
import { meshServiceStatus } from '../meshservice/status';
import { VIP_KINDS, type MsVips, type VipKind, msVipAllocationKey, msVipsOf } from '../meshservice/vips';
import type { Resource, Spec } from '../resources/model';
import type { ResourceStore } from '../store/resource-store';

const KINDS = new Set<string>(VIP_KINDS);

export type StatusOf = (r: Resource) => Spec | undefined;

export function statusReader(store: ResourceStore): StatusOf {
  let generators: readonly Resource[] | undefined;
  const vipsByMesh = new Map<string, MsVips>();
  return (r) => {
    if (!KINDS.has(r.type)) return undefined;
    generators ??= store.list('HostnameGenerator').items;
    let vips = vipsByMesh.get(r.mesh);
    if (!vips) vipsByMesh.set(r.mesh, (vips = msVipsOf(store.get(msVipAllocationKey(r.mesh))?.spec)));
    return meshServiceStatus(r.type as VipKind, r, generators, vips);
  };
}
