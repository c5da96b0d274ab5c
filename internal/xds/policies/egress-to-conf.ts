/**
 * The `to` conf a zone egress applies towards one MeshExternalService (Kuma 2.14
 * `matchers/egress.go`: EgressMatchedPolicies builds the egress's ToRules.ResourceRules from every
 * policy of the type in the mesh; `rules/outbound` resolves each `to[]` item to the resources it
 * names and a MeshExternalService without a rule of its own falls back to its Mesh's).
 *
 * The egress is no proxy of the mesh, so the top-level targetRef (and its `proxyTypes`) is not
 * consulted: a policy counts as soon as one of its `to[]` items reaches the MeshExternalService,
 * by kind Mesh, by name, by labels or with its port as `sectionName`. Items are merged least
 * specific first, as for a sidecar: policies in Kuma's order, then items by their own kind.
 * Policies whose top-level targetRef is a MeshHTTPRoute are left out, as Kuma leaves them out of
 * the resource rules (MADR 060: their `to` is the route's, not a destination's).
 *
 * Pure; memoized per MeshContext, which is immutable.
 */
import type { Resource } from '../../resources/model';
import type { MeshServiceDestination } from '../context/mesh-services';
import type { MeshContext } from '../context/types';
import { mergeConfs } from './merge';
import { toRefMatchesMeshService } from './mesh-service-target';
import { type Item, itemsOf } from './proxy-policies';
import { comparePolicies, compareToItems, targetRefOf } from './target-ref';

type Obj = Record<string, unknown>;

const itemsMemo = new WeakMap<MeshContext, Map<string, readonly Item[]>>();

/** Every `to[]` item of the mesh's policies of `type`, least specific first. */
function egressToItems(ctx: MeshContext, type: string): readonly Item[] {
  let byType = itemsMemo.get(ctx);
  if (!byType) itemsMemo.set(ctx, (byType = new Map()));
  let items = byType.get(type);
  if (!items) {
    const policies: Resource[] = (ctx.resources.get(type) ?? []).filter((p) => targetRefOf(p.spec.targetRef).kind !== 'MeshHTTPRoute');
    items = [...policies].sort(comparePolicies).flatMap((p) => itemsOf(p, 'to')).sort(compareToItems);
    byType.set(type, items);
  }
  return items;
}

/** The merged `to` conf of `type` on the egress for `dest`; undefined when no item reaches it. */
export function egressToConf(ctx: MeshContext, type: string, dest: MeshServiceDestination): Obj | undefined {
  const confs = egressToItems(ctx, type)
    .filter((i) => toRefMatchesMeshService(i.targetRef, dest))
    .map((i) => i.conf);
  return confs.length > 0 ? mergeConfs(confs) : undefined;
}

