/**
 * Steps that run on a sidecar's whole generated config after every generator (Kuma applies
 * MeshProxyPatch last, to the final resource set). Each takes the tagged resources and returns the
 * resources to serve; pure like the generators.
 */
import type { MeshContext, ProxyContext } from '../../context/types';
import { meshProxyPatch } from '../proxy-patch/post-processor';
import type { TaggedResource } from '../types';

export interface PostProcessor {
  name: string;
  run(resources: TaggedResource[], proxy: ProxyContext, ctx: MeshContext): TaggedResource[];
}

export const SIDECAR_POST_PROCESSORS: readonly PostProcessor[] = [meshProxyPatch];
