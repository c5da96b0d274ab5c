/**
 * The one table of resource types. API routes, kumactl names, KDS type lists,
 * mode read-only rules and `/_resources` are all derived from it: adding a
 * type is one descriptor in internal/resources/types/ plus its entry in
 * `registerAll()` (types/index.ts).
 */
import type { Violation } from '../errors';
import type { Spec } from './model';
import type { MessageSchema } from './schema/field-schema';

export type Scope = 'Global' | 'Mesh';

/** Which way a type crosses KDS (spec kuma-api-cli.md §1.2, kuma-kds-xds.md §1). */
export interface KdsFlags {
  /** Authored on the global CP and pushed down to zones. */
  globalToZone: boolean;
  /** Authored on a zone CP and pushed up to the global CP. */
  zoneToGlobal: boolean;
  /** Having arrived at the global from a zone, also fanned out to the other zones (ZoneIngress, targetRef policies). */
  zoneToOtherZones: boolean;
  /** Synced copies keep the original name instead of a hash-suffixed one (Mesh, Secret, GlobalSecret: Kuma's SkipKDSHash). */
  keepName?: boolean;
  /**
   * Every zone-origin copy reaches every other zone (MeshService: Kuma's SyncedAcrossZones without
   * the producer-policy rule that holds zone-origin targetRef policies back).
   */
  relayEveryZoneCopy?: boolean;
}

/** The policy facts that `/_resources` and `/policies` publish. */
export interface PolicyInfo {
  isTargetRef: boolean;
  hasToTargetRef: boolean;
  hasFromTargetRef: boolean;
  isFromAsRules: boolean;
}

export interface ResourceDescriptor {
  /** Kuma type name, e.g. "Mesh", "MeshTrafficPermission". */
  name: string;
  scope: Scope;
  /** REST path stem: `/meshes/{mesh}/<path>` for Mesh scope, `/<path>` for Global scope. */
  path: string;
  /** Alternative REST stems that get the same routes (`zone-ingresses`). */
  altPaths: string[];
  /** kumactl `get <cliPlural>` / `get <cliSingular> NAME`; absent for read-only insight types. */
  cliSingular?: string;
  cliPlural?: string;
  /** Extra kumactl names accepted for the type (singular or plural). */
  cliAliases: string[];
  shortName?: string;
  singularDisplayName: string;
  pluralDisplayName: string;
  /** Plugin (targetRef-era) types nest their fields under `spec:`; legacy types are flat. */
  nestedSpec: boolean;
  /** Computed by the CP (insights): never written through the API or kumactl. */
  readOnly: boolean;
  /** Admin-only types (Secret, GlobalSecret): anonymous callers get 403. */
  adminOnly: boolean;
  /** Type whose records carry this type's insight, keyed by the same (mesh, name). */
  insightType?: string;
  /** Name of the `_overview` pseudo-type (DataplaneOverview) and its two fields. */
  overview?: { type: string; resourceField: string; insightField: string };
  kds: KdsFlags;
  /** May be created on the global CP (REST writable there). */
  providedByGlobal: boolean;
  /** May be created on a zone CP (REST writable on a federated zone). */
  providedByZone: boolean;
  /**
   * Why a zone CP (federated or standalone) refuses API writes of this type
   * although it keeps records of it (Zone: the global manages them).
   */
  readOnlyOnZone?: string;
  /** A proxy type: gets the `kuma.io/proxy-type` label. */
  proxyType?: 'sidecar' | 'zoneingress' | 'zoneegress';
  policy?: PolicyInfo;
  /**
   * Every field the spec may hold (Kuma 2.14's message or Go struct): decoding
   * camelizes by it and write paths reject what it does not list.
   */
  fields: MessageSchema;
  /** Fills defaults into a parsed spec; pure. */
  normalize?: (spec: Spec) => Spec;
  /** Deprecation warnings for a valid spec, in Kuma's words (PUT answers them as `warnings`); pure. */
  deprecations?: (spec: Spec) => string[];
  /** Every violation of the spec, with field paths as Kuma prints them; pure. */
  validate: (spec: Spec) => Violation[];
}

export class Registry {
  #byName = new Map<string, ResourceDescriptor>();
  #byPath = new Map<string, ResourceDescriptor>();
  #byCli = new Map<string, ResourceDescriptor>();
  /** Every other spelling kumactl users type for a type kumactl names (see looseCliKeys), hyphens dropped. */
  #byLooseCli = new Map<string, ResourceDescriptor>();

  register(d: ResourceDescriptor): void {
    if (this.#byName.has(d.name)) throw new Error(`resource type ${d.name} registered twice`);
    if (d.kds.zoneToOtherZones && !d.kds.zoneToGlobal) {
      throw new Error(`resource type ${d.name}: zoneToOtherZones needs zoneToGlobal`);
    }
    if (d.readOnly && (d.providedByGlobal || d.providedByZone)) {
      throw new Error(`resource type ${d.name}: a read-only type cannot be provided by a CP`);
    }
    for (const p of [d.path, ...d.altPaths]) {
      if (this.#byPath.has(p)) throw new Error(`REST path ${p} of ${d.name} already used by ${this.#byPath.get(p)!.name}`);
    }
    const cli = [d.cliSingular, d.cliPlural, ...d.cliAliases].filter((x): x is string => !!x);
    for (const c of new Set(cli)) {
      if (this.#byCli.has(c)) throw new Error(`kumactl name ${c} of ${d.name} already used by ${this.#byCli.get(c)!.name}`);
    }
    this.#byName.set(d.name, d);
    for (const p of [d.path, ...d.altPaths]) this.#byPath.set(p, d);
    for (const c of new Set(cli)) this.#byCli.set(c, d);
    if (cli.length) for (const k of looseCliKeys(d)) if (!this.#byLooseCli.has(k)) this.#byLooseCli.set(k, d);
  }

  all(): ResourceDescriptor[] {
    return [...this.#byName.values()];
  }

  byName(name: string): ResourceDescriptor | undefined {
    return this.#byName.get(name);
  }

  mustByName(name: string): ResourceDescriptor {
    const d = this.#byName.get(name);
    if (!d) throw new Error(`unknown resource type ${name}`);
    return d;
  }

  byPath(path: string): ResourceDescriptor | undefined {
    return this.#byPath.get(path);
  }

  /**
   * The type behind a kumactl name: its singular, plural or alias, and as
   * kumactl users also type them, with or without hyphens and in any case
   * (`service-insights`, `MeshTrafficPermissions`), the short name (`mtp`)
   * and the REST path.
   */
  byCliName(name: string): ResourceDescriptor | undefined {
    return this.#byCli.get(name) ?? this.#byLooseCli.get(looseKey(name));
  }

  /** kumactl names of every type that `get` accepts, sorted. */
  cliNames(): string[] {
    return [...this.#byCli.keys()].sort();
  }
}

function looseKey(name: string): string {
  return name.replace(/[-_\s]/g, '').toLowerCase();
}

/** The spellings of a type's names that byCliName accepts besides the exact ones. */
function looseCliKeys(d: ResourceDescriptor): string[] {
  const names = [d.cliSingular, d.cliPlural, ...d.cliAliases, d.shortName, d.path, ...d.altPaths, d.name, d.singularDisplayName, d.pluralDisplayName];
  return [...new Set(names.filter((x): x is string => !!x).map(looseKey))];
}
