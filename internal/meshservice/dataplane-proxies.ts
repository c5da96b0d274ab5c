/**
 * The Dataplanes a local MeshService selects and what its status says of them (Kuma
 * meshservice/status/updater.go, meshservice/match.go):
 *
 * - selected: `selector.dataplaneRef.name` names a Dataplane of the mesh with an inbound, or one
 *   inbound carries every `selector.dataplaneTags` pair (any inbound state);
 * - `dataplaneProxies.total`: the selected ones; `connected`: those whose DataplaneInsight has a
 *   subscription without disconnectTime; `healthy`: those where every port of the MeshService has
 *   its inbound (same name as a named port, else the targetPort's number or name) ready. Kuma counts
 *   healthy independently of connected;
 * - `tls.status`: NotReady without mesh mTLS, else Ready when every selected Dataplane's insight
 *   names the backend that issued its certificate (Ready with none selected).
 *
 * The index is built in one pass over a mesh's Dataplanes, so a list of MeshServices does not
 * rescan them per item. Pure.
 */
import { LABEL, type Resource, type Spec } from '../resources/model';
import { isOnline } from '../core/insight-status';
import { type InboundView, dataplaneView } from '../xds/context/dataplane-view';
import { list, obj } from './labels';

export interface DataplaneIndex {
  /** `tag\0value` -> Dataplanes with an inbound carrying it (each once). */
  byTag: Map<string, Resource[]>;
  /** Dataplanes with at least one inbound, by name. */
  byName: Map<string, Resource>;
}

const pair = (k: string, v: string) => `${k}\0${v}`;

/** Indexes the Dataplanes of one mesh in this zone (a copy labelled with another zone is left out). */
export function indexDataplanes(dataplanes: readonly Resource[], zone: string): DataplaneIndex {
  const idx: DataplaneIndex = { byTag: new Map(), byName: new Map() };
  for (const dp of dataplanes) {
    const dpZone = dp.labels[LABEL.zone];
    if (dpZone && zone && dpZone !== zone) continue;
    const { inbounds } = dataplaneView(dp);
    if (inbounds.length === 0) continue;
    idx.byName.set(dp.name, dp);
    for (const ib of inbounds) {
      for (const [k, v] of Object.entries(ib.tags)) {
        const key = pair(k, v);
        let l = idx.byTag.get(key);
        if (!l) idx.byTag.set(key, (l = []));
        if (l[l.length - 1] !== dp) l.push(dp);
      }
    }
  }
  return idx;
}

/** The Dataplanes `ms` selects, in name order. */
export function selectedDataplanes(ms: Resource, idx: DataplaneIndex): Resource[] {
  const selector = obj(ms.spec.selector);
  const ref = obj(selector.dataplaneRef);
  if (selector.dataplaneRef !== undefined) {
    const dp = typeof ref.name === 'string' ? idx.byName.get(ref.name) : undefined;
    return dp ? [dp] : [];
  }
  if (selector.dataplaneTags === undefined) return [];
  const tags = Object.entries(obj(selector.dataplaneTags)).filter((e): e is [string, string] => typeof e[1] === 'string');
  // The smallest candidate set of one pair, then the Dataplanes one of whose inbounds has them all.
  let candidates: Resource[] | undefined;
  for (const [k, v] of tags) {
    const l = idx.byTag.get(pair(k, v));
    if (!l) return [];
    if (!candidates || l.length < candidates.length) candidates = l;
  }
  // No pair at all: Kuma's range over an empty selector finds no candidates.
  if (!candidates) return [];
  return candidates.filter((dp) => dataplaneView(dp).inbounds.some((ib) => tags.every(([k, v]) => ib.tags[k] === v))).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The inbound serving one MeshService port: the first whose name is the port's name, or that the targetPort names. */
function inboundForPort(inbounds: readonly InboundView[], port: Spec): InboundView | undefined {
  const name = typeof port.name === 'string' ? port.name : '';
  const target = port.targetPort ?? port.port;
  return inbounds.find((ib) => (name !== '' && ib.name === name) || (typeof target === 'number' ? ib.port === target : typeof target === 'string' && ib.name === target));
}

export interface DataplaneProxies {
  connected: number;
  healthy: number;
  total: number;
}

export type InsightOf = (dp: Resource) => Spec | undefined;

export function dataplaneProxiesOf(ms: Resource, dps: readonly Resource[], insightOf: InsightOf): DataplaneProxies {
  const ports = list(ms.spec.ports);
  const out: DataplaneProxies = { connected: 0, healthy: 0, total: 0 };
  for (const dp of dps) {
    out.total++;
    if (isOnline(insightOf(dp))) out.connected++;
    const { inbounds } = dataplaneView(dp);
    if (ports.every((p) => inboundForPort(inbounds, p)?.ready === true)) out.healthy++;
  }
  return out;
}

export function tlsStatusOf(meshMtls: boolean, dps: readonly Resource[], insightOf: InsightOf): 'Ready' | 'NotReady' {
  if (!meshMtls) return 'NotReady';
  // Any issuing backend counts: the mesh may be in the middle of a CA rotation.
  const issued = (dp: Resource) => {
    const b = obj(insightOf(dp)?.mTLS).issuedBackend;
    return typeof b === 'string' && b !== '';
  };
  return dps.every(issued) ? 'Ready' : 'NotReady';
}
