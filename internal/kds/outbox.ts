/**
 * The desired outgoing state of a type for one peer: the stored resources
 * that pass the filter, mapped and encoded. Encodings are cached per stored
 * record object (the store replaces the object on every write), so a change
 * costs one encode, not one per resource; the cache is shared by every
 * peer whose mapping is the same.
 */
import type { Resource } from '../resources/model';
import type { Registry, ResourceDescriptor } from '../resources/registry';
import type { ResourceStore } from '../store/resource-store';
import { encodeResource, type EncodedResource, type KdsResource } from './wire';

/** A record that cannot be encoded (its spec does not fit Kuma's message): reported once, not sent. */
const UNENCODABLE = Symbol('unencodable');

export class EncodeCache {
  readonly #cache = new WeakMap<Resource, EncodedResource | typeof UNENCODABLE>();
  readonly #map: (d: ResourceDescriptor, r: Resource) => KdsResource;
  readonly #onError: (err: Error) => void;

  constructor(map: (d: ResourceDescriptor, r: Resource) => KdsResource, onError: (err: Error) => void = () => {}) {
    this.#map = map;
    this.#onError = onError;
  }

  encode(d: ResourceDescriptor, r: Resource): EncodedResource | undefined {
    let e = this.#cache.get(r);
    if (!e) {
      try {
        e = encodeResource(d, this.#map(d, r));
      } catch (err) {
        this.#onError(err as Error);
        e = UNENCODABLE;
      }
      this.#cache.set(r, e);
    }
    return e === UNENCODABLE ? undefined : e;
  }
}

export function outboxSnapshot(store: ResourceStore, registry: Registry, cache: EncodeCache, type: string, include: (d: ResourceDescriptor, r: Resource) => boolean): Map<string, EncodedResource> {
  const d = registry.mustByName(type);
  const out = new Map<string, EncodedResource>();
  for (const r of store.list(type).items) {
    if (!include(d, r)) continue;
    const e = cache.encode(d, r);
    if (e) out.set(e.wireName, e);
  }
  return out;
}
