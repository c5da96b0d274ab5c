/**
 * What the dataplane hooks share about each ADS stream: the token it
 * presented, the proxy it turned out to be, and whether it registered the
 * Dataplane itself. One instance is shared by the hooks of one server.
 */
import type { Node } from '../../../../proto/gen/envoy/config/core/v3/base';
import { fromRest, type ParsedResource } from '../../../resources/codec';
import type { Resource } from '../../../resources/model';
import type { Registry } from '../../../resources/registry';
import type { ResourceStore } from '../../../store/resource-store';
import { parse as parseYaml } from 'yaml';
import { BadRequestError, NotFoundError } from '../../../errors';

export type ProxyKind = 'dataplane' | 'ingress' | 'egress';

/** The resource type each proxy kind registers as. */
export const PROXY_RESOURCE_TYPE: Record<ProxyKind, string> = { dataplane: 'Dataplane', ingress: 'ZoneIngress', egress: 'ZoneEgress' };

export interface ProxyStream {
  token: string;
  /** Its token (or zone token) was checked: later requests of the stream skip authentication. */
  verified?: boolean;
  kind?: ProxyKind;
  nodeId?: string;
  mesh?: string;
  name?: string;
  /** The Dataplane carried in the bootstrap metadata (kuma-dp-managed lifecycle). */
  carried?: ParsedResource;
  registered?: boolean;
  connected?: boolean;
  /** kuma-dp's DNS port from the node metadata `dataplane.dns.port` (0: no DNS); ProxyContext.dnsPort. */
  dnsPort?: number;
}

export class ProxyStreams {
  readonly #streams = new Map<number, ProxyStream>();
  /** Connected streams per node id, so a close does not scan every stream of the fleet. */
  readonly #connectedPerNode = new Map<string, number>();

  open(streamId: number, token: string): void {
    this.#streams.set(streamId, { token });
  }

  get(streamId: number): ProxyStream | undefined {
    return this.#streams.get(streamId);
  }

  /** The stream's proxy is connected (its resource known, handed to the reconciler). */
  markConnected(s: ProxyStream): void {
    if (s.connected || !s.nodeId) return;
    s.connected = true;
    this.#connectedPerNode.set(s.nodeId, (this.#connectedPerNode.get(s.nodeId) ?? 0) + 1);
  }

  close(streamId: number): ProxyStream | undefined {
    const s = this.#streams.get(streamId);
    if (!s) return undefined;
    this.#streams.delete(streamId);
    if (s.connected && s.nodeId) {
      const n = (this.#connectedPerNode.get(s.nodeId) ?? 1) - 1;
      if (n > 0) this.#connectedPerNode.set(s.nodeId, n);
      else this.#connectedPerNode.delete(s.nodeId);
    }
    return s;
  }

  /** Streams and connected nodes tracked (leak tests). */
  sizes(): { streams: number; nodes: number } {
    return { streams: this.#streams.size, nodes: this.#connectedPerNode.size };
  }

  /** Connected streams still open for a node (Envoy may reconnect before the old stream is gone). */
  openFor(nodeId: string): number {
    return this.#connectedPerNode.get(nodeId) ?? 0;
  }
}

/**
 * Identifies the proxy of a stream from its node: id `<mesh>.<name>` (zone
 * proxies: `.<name>`), its kind and the resource in its metadata.
 */
export function identify(s: ProxyStream, node: Node, registry: Registry): void {
  if (s.nodeId) return;
  const dot = node.id.indexOf('.');
  if (dot < 0) throw new BadRequestError(`node id "${node.id}" is not "<mesh>.<name>"`);
  const md = node.metadata ?? {};
  const kind = String(md['dataplane.proxyType'] || 'dataplane') as ProxyKind;
  if (!(kind in PROXY_RESOURCE_TYPE)) throw new BadRequestError(`invalid proxy type "${kind}"`);
  s.kind = kind;
  s.nodeId = node.id;
  s.mesh = node.id.slice(0, dot);
  s.name = node.id.slice(dot + 1);
  const dnsPort = Number(md['dataplane.dns.port'] ?? 0);
  s.dnsPort = Number.isInteger(dnsPort) && dnsPort > 0 && dnsPort < 65536 ? dnsPort : 0;
  const raw = md['dataplane.resource'];
  if (typeof raw === 'string' && raw) {
    s.carried = fromRest(registry, parseCarried(raw));
    if (s.carried.type !== PROXY_RESOURCE_TYPE[kind]) throw new BadRequestError(`invalid proxy resource type "${s.carried.type}", expected ${PROXY_RESOURCE_TYPE[kind]}`);
    if (s.carried.name !== s.name || s.carried.mesh !== s.mesh) {
      throw new BadRequestError(`node id "${node.id}" does not match the Dataplane ${s.carried.mesh}/${s.carried.name} it carries`);
    }
  }
}

/** kuma-dp sends the resource as JSON; a YAML document (as in a --dataplane-file) is accepted too. */
function parseCarried(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (jsonError) {
    let doc: unknown;
    try {
      doc = parseYaml(raw);
    } catch (e) {
      throw new BadRequestError(`node metadata dataplane.resource is neither JSON (${(jsonError as Error).message}) nor YAML (${(e as Error).message.split('\n')[0]})`);
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new BadRequestError('node metadata dataplane.resource must be a resource object (type, mesh, name, networking...)');
    return doc;
  }
}

/** The proxy's resource (Dataplane, ZoneIngress or ZoneEgress): the one it carries, else the stored one. */
export function proxyResource(s: ProxyStream, store: ResourceStore): Pick<Resource, 'type' | 'mesh' | 'name' | 'labels' | 'spec'> {
  if (s.carried) return { type: s.carried.type, mesh: s.carried.mesh, name: s.carried.name, labels: s.carried.labels, spec: s.carried.spec };
  const type = PROXY_RESOURCE_TYPE[s.kind ?? 'dataplane'];
  const stored = store.get({ type, mesh: s.mesh!, name: s.name! });
  if (!stored) {
    throw new NotFoundError(`${type} "${s.name}"${s.mesh ? ` of mesh "${s.mesh}"` : ''} does not exist; apply it first or start the proxy with --dataplane-file`);
  }
  return stored;
}
