/**
 * A typed, defaults-applied reading of a stored Dataplane spec (spec kuma-api-cli.md §1.4; Kuma
 * Dataplane_Networking.ToInboundInterface). The store keeps the spec as loose JSON; every xDS piece
 * reads it through here so that defaults are applied in one place.
 */
import { TAG, type Resource } from '../../resources/model';

export type Tags = Readonly<Record<string, string>>;

export interface InboundView {
  /** Listener address: inbound.address, else networking.address. */
  address: string;
  port: number;
  /** Application port: servicePort, else port. */
  servicePort: number;
  /** Application address: serviceAddress, else 127.0.0.1. */
  serviceAddress: string;
  /** Port name (MeshService sectionName), when set. */
  name?: string;
  state: 'Ready' | 'NotReady' | 'Ignored';
  /** false when state is NotReady or health.ready is false. */
  ready: boolean;
  tags: Tags;
  service: string;
}

export interface OutboundView {
  /** Listener address: outbound.address, else 127.0.0.1. */
  address: string;
  port: number;
  tags: Tags;
  /** kuma.io/service; "" for a backendRef outbound (MeshService mode). */
  service: string;
  /** `backendRef {kind, name | labels, port}` of a MeshService-mode outbound. */
  backendRef?: { kind: string; name?: string; labels?: Tags; port?: number };
}

export interface DataplaneView {
  name: string;
  mesh: string;
  labels: Tags;
  address: string;
  advertisedAddress?: string;
  adminPort?: number;
  inbounds: InboundView[];
  outbounds: OutboundView[];
  /** Tags of a gateway Dataplane (delegated or builtin), when it is one. */
  gatewayTags?: Tags;
  /** Every tag set the Dataplane carries: its inbounds' tags (and the gateway's). */
  tagSets: Tags[];
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(obj) : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

function tagsOf(v: unknown): Tags {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === 'string') out[k] = val;
  return out;
}

const LOOPBACK = '127.0.0.1';
const cache = new WeakMap<Resource, DataplaneView>();

/** The view of a Dataplane resource; cached per resource object (resources are immutable). */
export function dataplaneView(dp: Resource): DataplaneView {
  let v = cache.get(dp);
  if (!v) cache.set(dp, (v = build(dp)));
  return v;
}

function build(dp: Resource): DataplaneView {
  const net = obj(dp.spec.networking);
  const address = str(net.address) ?? '';
  const inbounds: InboundView[] = list(net.inbound).map((ib) => {
    const port = num(ib.port) ?? 0;
    const state = ib.state === 'NotReady' || ib.state === 'Ignored' ? ib.state : 'Ready';
    const health = obj(ib.health);
    const tags = tagsOf(ib.tags);
    return {
      address: str(ib.address) ?? address,
      port,
      servicePort: num(ib.servicePort) ?? port,
      serviceAddress: str(ib.serviceAddress) ?? LOOPBACK,
      ...(str(ib.name) ? { name: str(ib.name) } : {}),
      state,
      ready: state === 'Ready' && health.ready !== false,
      tags,
      service: tags[TAG.service] ?? '',
    };
  });
  const outbounds: OutboundView[] = list(net.outbound).map((ob) => {
    const tags = tagsOf(ob.tags);
    const ref = obj(ob.backendRef);
    const refLabels = tagsOf(ref.labels);
    const hasLabels = Object.keys(refLabels).length > 0;
    const backendRef =
      str(ref.kind) && (str(ref.name) || hasLabels)
        ? { kind: str(ref.kind)!, ...(str(ref.name) ? { name: str(ref.name)! } : {}), ...(hasLabels ? { labels: refLabels } : {}), ...(num(ref.port) ? { port: num(ref.port)! } : {}) }
        : undefined;
    return { address: str(ob.address) ?? LOOPBACK, port: num(ob.port) ?? 0, tags, service: tags[TAG.service] ?? '', ...(backendRef ? { backendRef } : {}) };
  });
  const gateway = net.gateway === undefined ? undefined : tagsOf(obj(net.gateway).tags);
  const tagSets = inbounds.map((i) => i.tags);
  if (gateway) tagSets.push(gateway);
  const adminPort = num(obj(net.admin).port);
  return {
    name: dp.name,
    mesh: dp.mesh,
    labels: dp.labels,
    address,
    ...(str(net.advertisedAddress) ? { advertisedAddress: str(net.advertisedAddress) } : {}),
    ...(adminPort ? { adminPort } : {}),
    inbounds,
    outbounds,
    ...(gateway ? { gatewayTags: gateway } : {}),
    tagSets,
  };
}
