/**
 * The MeshProxyPatch step: the `appendModifications` of the MeshProxyPatches selecting the proxy
 * (concatenated least specific first, as Kuma merges `append…` lists) applied in order to the
 * sidecar's final resources. A proxy no MeshProxyPatch selects pays one policy lookup.
 */
import { MODIFICATION_KINDS } from '../../../resources/types/mesh-proxy-patch';
import { proxyPolicies } from '../../policies/proxy-policies';
import type { PostProcessor } from '../sidecar/post-processors';
import type { TaggedResource } from '../types';
import { type Modification, applyModification } from './modifications';
import { type PatchableKind, PatchEntry } from './resource-json';

const PATCHABLE = new Set<string>(['cluster', 'listener', 'route'] satisfies PatchableKind[]);

function isPatchable(r: TaggedResource): r is TaggedResource & { kind: PatchableKind } {
  return PATCHABLE.has(r.kind);
}

export const meshProxyPatch: PostProcessor = {
  name: 'mesh-proxy-patch',
  run(resources, proxy, ctx) {
    const conf = proxyPolicies(proxy.dataplane, ctx).single('MeshProxyPatch');
    const mods = Array.isArray(conf?.appendModifications) ? (conf.appendModifications as Record<string, unknown>[]) : [];
    if (mods.length === 0) return resources;
    let entries = resources.filter(isPatchable).map((r) => PatchEntry.of(r));
    mods.forEach((m, i) => {
      const kind = MODIFICATION_KINDS.find((k) => m[k] !== undefined && m[k] !== null);
      if (!kind) return;
      try {
        entries = applyModification(entries, kind, m[kind] as Modification);
      } catch (e) {
        throw new Error(`MeshProxyPatch appendModifications[${i}].${kind}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    return [...entries.map((e) => e.toTagged()), ...resources.filter((r) => !isPatchable(r))];
  },
};
