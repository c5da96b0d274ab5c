/**
 * An immutable, internally consistent set of xDS resources for one node, as go-control-plane's
 * `cache.Snapshot` (pkg/cache/v3/snapshot.go): per type URL, a version and the resources by name.
 *
 * A snapshot is built unversioned (`version()` answers '') by `snapshotFromResources` or the
 * constructor; `SnapshotCache.setSnapshot` assigns the versions and stores a versioned copy.
 */
import { KumaError } from '../../errors';
import type { Any } from '../../proto/any';
import {
  ADS_ORDER,
  CLUSTER_TYPE_URL,
  ENDPOINT_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_TYPE_URL,
  adsOrderOf,
} from './resource-types';

/** One resource as the cache holds it: encoded once, shared by every snapshot that contains it. */
export interface SnapshotResource {
  readonly name: string;
  /**
   * A hash of the encoded bytes. It is the per-resource version of Delta xDS, and two resources
   * with equal versions are byte-equal.
   */
  readonly version: string;
  /** The packed message (`resource.value` holds the encoded bytes). */
  readonly resource: Any;
  /**
   * Names this resource makes Envoy ask for next: the EDS names of an EDS Cluster, the RDS names
   * of a Listener. Empty for the other types. Used by `consistent()`.
   */
  readonly references: readonly string[];
}

export type ResourceMap = ReadonlyMap<string, SnapshotResource>;

const EMPTY: ResourceMap = new Map();

/** A snapshot that names an EDS or RDS resource it does not contain; refused by `setSnapshot`. */
export class InconsistentSnapshotError extends KumaError {
  /** One line per missing resource: who names it and what is missing. */
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('KUMA_INTERNAL', `inconsistent xDS snapshot: ${problems.join('; ')}`);
    this.name = 'InconsistentSnapshotError';
    this.problems = problems;
  }
}

export class Snapshot {
  /** type URL -> name -> resource. Every ADS_ORDER type is present (maybe empty). */
  readonly #items: ReadonlyMap<string, ResourceMap>;
  /** type URL -> version; empty until the cache assigns versions. */
  readonly #versions: ReadonlyMap<string, string>;

  /**
   * @param items resources per type URL, either as a name map or a list (names must be unique per
   *   type). Types of ADS_ORDER that are missing are present and empty, so a wildcard request for
   *   them is answered with an empty list instead of waiting forever.
   */
  constructor(
    items: Iterable<readonly [string, ResourceMap | readonly SnapshotResource[]]> = [],
    versions: ReadonlyMap<string, string> = new Map(),
  ) {
    const byType = new Map<string, ResourceMap>();
    for (const typeUrl of ADS_ORDER) byType.set(typeUrl, EMPTY);
    for (const [typeUrl, resources] of items) byType.set(typeUrl, Array.isArray(resources) ? indexByName(typeUrl, resources) : (resources as ResourceMap));
    this.#items = new Map([...byType].sort(([a], [b]) => adsOrderOf(a) - adsOrderOf(b)));
    this.#versions = versions;
  }

  /** The type URLs held, in ADS send order. */
  typeUrls(): string[] {
    return [...this.#items.keys()];
  }

  /** The resources of a type by name; empty for a type the snapshot does not hold. */
  resources(typeUrl: string): ResourceMap {
    return this.#items.get(typeUrl) ?? EMPTY;
  }

  /** Whether the snapshot holds the type at all (every ADS_ORDER type is held). */
  has(typeUrl: string): boolean {
    return this.#items.has(typeUrl);
  }

  /** The version of a type; '' when unversioned or not held. */
  version(typeUrl: string): string {
    return this.#versions.get(typeUrl) ?? '';
  }

  /** The same resources with the given versions (used by the cache). */
  withVersions(versions: ReadonlyMap<string, string>): Snapshot {
    return new Snapshot(this.#items, versions);
  }

  /**
   * go-control-plane's `Consistent()`: every EDS name an EDS cluster refers to and every RDS name a
   * listener refers to must be in the snapshot. Envoy would otherwise wait for a resource that
   * never comes (the cluster or listener stays warming). Unreferenced EDS/RDS resources are
   * allowed. Returns the error instead of throwing it.
   */
  consistent(): InconsistentSnapshotError | undefined {
    const problems = [
      ...missingReferences(this.resources(CLUSTER_TYPE_URL), this.resources(ENDPOINT_TYPE_URL), 'cluster', 'ClusterLoadAssignment (EDS)'),
      ...missingReferences(this.resources(LISTENER_TYPE_URL), this.resources(ROUTE_TYPE_URL), 'listener', 'RouteConfiguration (RDS)'),
    ];
    return problems.length > 0 ? new InconsistentSnapshotError(problems) : undefined;
  }
}

function missingReferences(from: ResourceMap, to: ResourceMap, fromKind: string, toKind: string): string[] {
  const problems: string[] = [];
  for (const resource of from.values()) {
    for (const ref of resource.references) {
      if (!to.has(ref)) problems.push(`${fromKind} "${resource.name}" refers to ${toKind} "${ref}", which is not in the snapshot`);
    }
  }
  return problems;
}

function indexByName(typeUrl: string, list: readonly SnapshotResource[]): ResourceMap {
  const byName = new Map<string, SnapshotResource>();
  for (const r of list) {
    const existing = byName.get(r.name);
    if (existing && existing.version !== r.version) {
      throw new KumaError('KUMA_INTERNAL', `two different resources named "${r.name}" of type ${typeUrl} in one snapshot`);
    }
    byName.set(r.name, r);
  }
  return byName;
}

/** Whether two resource maps hold the same names with byte-equal contents. */
export function sameResources(a: ResourceMap, b: ResourceMap): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [name, ra] of a) {
    const rb = b.get(name);
    if (rb === undefined || (rb !== ra && rb.version !== ra.version)) return false;
  }
  return true;
}
