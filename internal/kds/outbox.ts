/**
 * The desired outgoing state of a type for one peer: the stored resources
 * that pass the filter, mapped and encoded. Encodings are cached per stored
 * record object (the store replaces the object on every write), so a change
 * costs one encode, not one per resource; the cache is shared by every
 * peer whose mapping is the same. A status (derived from other records)
 * is part of the key: the same record with another status encodes again.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Resource, Spec } from '../resources/model';
import type { Registry, ResourceDescriptor } from '../resources/registry';
import type { ResourceStore } from '../store/resource-store';
import { encodeResource, type EncodedResource, type KdsResource } from './wire';

/** A record that cannot be encoded (its spec does not fit Kuma's message): reported once, not sent. */
const UNENCODABLE = Symbol('unencodable');

interface Cached {
  status?: Spec;
  encoded: EncodedResource | typeof UNENCODABLE;
}

export class EncodeCache {
  readonly #cache = new WeakMap<Resource, Cached>();
  readonly #map: (d: ResourceDescriptor, r: Resource) => KdsResource;
  readonly #onError: (err: Error) => void;

  constructor(map: (d: ResourceDescriptor, r: Resource) => KdsResource, onError: (err: Error) => void = () => {}) {
    this.#map = map;
    this.#onError = onError;
  }

  /** The record as the peer gets it, with `status` when given. */
  encode(d: ResourceDescriptor, r: Resource, status?: Spec): EncodedResource | undefined {
    let c = this.#cache.get(r);
    if (!c || !isDeepStrictEqual(c.status, status)) {
      let encoded: Cached['encoded'];
      try {
        const kr = this.#map(d, r);
        encoded = encodeResource(d, status ? { ...kr, status } : kr);
      } catch (err) {
        this.#onError(err as Error);
        encoded = UNENCODABLE;
      }
      this.#cache.set(r, (c = { ...(status ? { status } : {}), encoded }));
    }
    return c.encoded === UNENCODABLE ? undefined : c.encoded;
  }
}

export function outboxSnapshot(
  store: ResourceStore,
  registry: Registry,
  cache: EncodeCache,
  type: string,
  include: (d: ResourceDescriptor, r: Resource) => boolean,
  statusOf: (r: Resource) => Spec | undefined = () => undefined,
): Map<string, EncodedResource> {
  const d = registry.mustByName(type);
  const out = new Map<string, EncodedResource>();
  for (const r of store.list(type).items) {
    if (!include(d, r)) continue;
    const e = cache.encode(d, r, statusOf(r));
    if (e) out.set(e.wireName, e);
  }
  return out;
}
