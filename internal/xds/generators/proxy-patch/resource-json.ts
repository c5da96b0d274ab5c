/**
 * A generated resource seen in protojson form for MeshProxyPatch, converted lazily: only the
 * resources a modification matches are serialized, and only the changed ones are decoded back
 * into fresh ts-proto objects (the generated ones may be shared with other proxies and are never
 * touched).
 */
import { Cluster } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import { Listener } from '../../../../proto/gen/envoy/config/listener/v3/listener';
import { RouteConfiguration } from '../../../../proto/gen/envoy/config/route/v3/route';
import { envoyBinaryToJson, envoyJsonToBinary } from '../../../proto/envoy-json';
import { ORIGIN, type Origin, type TaggedResource } from '../types';

export type Json = Record<string, unknown>;
export type PatchableKind = 'cluster' | 'listener' | 'route';

interface Codec {
  typeName: string;
  encode(r: unknown): Uint8Array;
  decode(b: Uint8Array): unknown;
}

const codec = <T>(fns: { $type: string; encode(m: T): { finish(): Uint8Array }; decode(b: Uint8Array): T }): Codec => ({
  typeName: fns.$type,
  encode: (r) => fns.encode(r as T).finish(),
  decode: (b) => fns.decode(b),
});

export const CODECS: Record<PatchableKind, Codec> = {
  cluster: codec(Cluster),
  listener: codec(Listener),
  route: codec(RouteConfiguration),
};

export class PatchEntry {
  readonly kind: PatchableKind;
  readonly origin: Origin;
  #tagged: TaggedResource | undefined;
  #json: Json | undefined;

  private constructor(kind: PatchableKind, origin: Origin, tagged?: TaggedResource, json?: Json) {
    this.kind = kind;
    this.origin = origin;
    this.#tagged = tagged;
    this.#json = json;
  }

  static of(tagged: TaggedResource & { kind: PatchableKind }): PatchEntry {
    return new PatchEntry(tagged.kind, tagged.origin, tagged);
  }

  /** A resource the patch adds, from the protojson of its `value`. */
  static added(kind: PatchableKind, json: Json): PatchEntry {
    return new PatchEntry(kind, ORIGIN.modifications, undefined, json);
  }

  get name(): string {
    return this.#json ? String(this.#json.name ?? '') : this.#tagged!.name;
  }

  /** The protojson form, for reading and in-place change (the entry is then re-encoded). */
  get json(): Json {
    if (!this.#json) {
      const c = CODECS[this.kind];
      this.#json = envoyBinaryToJson(c.typeName, c.encode(this.#tagged!.resource)) as Json;
    }
    return this.#json;
  }

  set json(j: Json) {
    this.#json = j;
  }

  /** A listener's Kuma tags (metadata io.kuma.tags), read without serializing an untouched one. */
  tags(): Record<string, unknown> {
    const md = (this.#json ?? (this.#tagged!.resource as unknown as Json)).metadata as { filterMetadata?: Record<string, unknown> } | undefined;
    const tags = md?.filterMetadata?.['io.kuma.tags'];
    return typeof tags === 'object' && tags !== null ? (tags as Record<string, unknown>) : {};
  }

  /** The resource to serve: the generated one when untouched, else decoded from the protojson. */
  toTagged(): TaggedResource {
    if (!this.#json) return this.#tagged!;
    const c = CODECS[this.kind];
    const resource = c.decode(envoyJsonToBinary(c.typeName, this.#json));
    return { kind: this.kind, name: this.name, origin: this.origin, resource } as TaggedResource;
  }
}
