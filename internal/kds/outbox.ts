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

export class EncodeCache {
  readonly #cache = new WeakMap<Resource, EncodedResource>();
  readonly #map: (d: ResourceDescriptor, r: Resource) => KdsResource;

  constructor(map: (d: ResourceDescriptor, r: Resource) => KdsResource) {
    this.#map = map;
  }

  encode(d: ResourceDescriptor, r: Resource): EncodedResource {
    let e = this.#cache.get(r);
    if (!e) {
      e = encodeResource(this.#map(d, r));
      this.#cache.set(r, e);
    }
    return e;
  }
}

export function outboxSnapshot(store: ResourceStore, registry: Registry, cache: EncodeCache, type: string, include: (d: ResourceDescriptor, r: Resource) => boolean): Map<string, EncodedResource> {
  const d = registry.mustByName(type);
  const out = new Map<string, EncodedResource>();
  for (const r of store.list(type).items) {
    if (!include(d, r)) continue;
    const e = cache.encode(d, r);
    out.set(e.wireName, e);
  }
  return out;
}
