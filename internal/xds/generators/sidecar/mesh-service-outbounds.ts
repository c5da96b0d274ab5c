/**
 * Outbounds of a sidecar towards MeshService-mode destinations (spec kuma-kds-xds.md §2.5, §3.8,
 * §3.9; MeshContext.meshServices): one per Dataplane outbound with a `backendRef` (kind
 * MeshService or MeshMultiZoneService, name, port) on its declared address, and, when the proxy
 * gets VIP outbounds (outbound-plan.ts vipOutboundsEnabled), one on `<VIP>:<port>` per
 * destination with a VIP. Each routes to the one cluster of its destination, named by its key.
 *
 * A backendRef name is the resource's name in this zone, else its display name (a copy from
 * another zone goes by `<name>-<hash>` here; the display name finds the local one first).
 * `labels` (Kuma's way to name another zone's copy: `kuma.io/display-name` + `kuma.io/zone`)
 * pick the first destination carrying them all.
 */
import { TAG } from '../../../resources/model';
import type { MeshServiceDestination } from '../../context/mesh-services';
import type { OutboundView } from '../../context/dataplane-view';
import { commonProtocol } from '../../context/protocol';
import type { MeshContext } from '../../context/types';
import type { OutboundPlan } from './outbound-plan';

function planFor(outbound: OutboundView, dest: MeshServiceDestination, vip: boolean): OutboundPlan {
  const tags = { [TAG.service]: dest.key };
  return {
    outbound: { ...outbound, tags, service: dest.key },
    ...(vip ? { vip: true as const } : {}),
    service: dest.key,
    protocol: commonProtocol([dest.protocol]),
    routes: [{ targets: [{ cluster: dest.key, weight: 1 }] }],
    clusters: [{ name: dest.key, service: dest.key, tags, meshService: dest }],
  };
}

function resolve(ctx: MeshContext, ref: NonNullable<OutboundView['backendRef']>): MeshServiceDestination | undefined {
  let byDisplay: MeshServiceDestination | undefined;
  const labels = ref.labels ? Object.entries(ref.labels) : undefined;
  for (const d of ctx.meshServices!.values()) {
    if (d.kind !== ref.kind || (ref.port !== undefined && d.port.port !== ref.port)) continue;
    // By labels the first destination (in key order) carrying all of them.
    if (labels) {
      if (labels.every(([k, v]) => d.labels[k] === v)) return d;
      continue;
    }
    if (d.name === ref.name) return d;
    if (!byDisplay && d.displayName === ref.name && (d.local || d.kind !== 'MeshService')) byDisplay = d;
  }
  return byDisplay;
}

/** Plans of the backendRef outbounds, then (withVips) of the VIP outbounds not already declared. */
export function meshServicePlans(ctx: MeshContext, declared: readonly OutboundView[], withVips: boolean): OutboundPlan[] {
  if (!ctx.meshServices) return [];
  const out: OutboundPlan[] = [];
  const taken = new Set(declared.map((o) => `${o.address}:${o.port}`));
  for (const o of declared) {
    if (!o.backendRef || !o.port) continue;
    const dest = resolve(ctx, o.backendRef);
    if (dest) out.push(planFor(o, dest, false));
  }
  if (!withVips) return out;
  for (const dest of ctx.meshServices.values()) {
    if (!dest.vip || taken.has(`${dest.vip}:${dest.port.port}`)) continue;
    taken.add(`${dest.vip}:${dest.port.port}`);
    out.push(planFor({ address: dest.vip, port: dest.port.port, tags: {}, service: dest.key }, dest, true));
  }
  return out;
}
