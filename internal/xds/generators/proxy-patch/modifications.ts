/**
 * One MeshProxyPatch modification applied to a proxy's resources (Kuma 2.14
 * pkg/plugins/policies/meshproxypatch/plugin/v1alpha1/*_modificator.go):
 *
 * - cluster / listener: Add (a resource of the same name is replaced), Patch (every match merged
 *   with `value` or patched with `jsonPatches`), Remove. Match on name, origin and (listeners) tags.
 * - networkFilter / httpFilter: in every filter chain of the matched listeners (and, for HTTP
 *   filters, every http_connection_manager in it): AddFirst, AddLast, AddBefore / AddAfter the
 *   first filter named `match.name`, Patch the filters of that name, Remove them (all when no name).
 * - virtualHost: in every route configuration of the matched listeners (inline in their
 *   http_connection_managers) and every RouteConfiguration: Add, Patch, Remove by name.
 *
 * `value`s are the user's YAML, normalized through protojson so that snake_case names and
 * "5s" durations merge with the generated protojson.
 */
import { envoyBinaryToJson, envoyJsonToBinary } from '../../../proto/envoy-json';
import { mergeEnvoyJson } from '../../../proto/envoy-merge';
import { ENVOY_TYPE, type ModificationKind, parseValue } from '../../../resources/types/mesh-proxy-patch';
import { type JsonPatchOp, applyJsonPatch } from './json-patch';
import { type Json, PatchEntry } from './resource-json';

export const HCM_NAME = 'envoy.filters.network.http_connection_manager';
const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

interface Match {
  name?: string;
  origin?: string;
  tags?: Record<string, string>;
  listenerName?: string;
  listenerTags?: Record<string, string>;
  routeConfigurationName?: string;
}

export interface Modification {
  operation: string;
  match?: Match;
  value?: string;
  jsonPatches?: JsonPatchOp[];
}

/** `value` as canonical protojson of the kind's Envoy message. */
function valueJson(kind: ModificationKind, value: string | undefined): Json {
  const type = ENVOY_TYPE[kind];
  return envoyBinaryToJson(type, envoyJsonToBinary(type, parseValue(value ?? '') ?? {})) as Json;
}

/** `target` changed by a Patch: `value` merged in, or the JSON patches applied. */
function patched(kind: ModificationKind, target: Json, mod: Modification): Json {
  if (mod.jsonPatches) return applyJsonPatch(target, mod.jsonPatches) as Json;
  return mergeEnvoyJson(ENVOY_TYPE[kind], target, valueJson(kind, mod.value)) as Json;
}

function tagsMatch(have: Record<string, unknown>, want: Record<string, string> | undefined): boolean {
  if (!want) return true;
  return Object.entries(want).every(([k, v]) => have[k] === v);
}

function objs(v: unknown): Json[] {
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as Json[]) : [];
}

/** A resource modification (cluster, listener): returns the new entry list. */
function modifyResource(entries: PatchEntry[], kind: 'cluster' | 'listener', mod: Modification): PatchEntry[] {
  const m = mod.match ?? {};
  const matches = (e: PatchEntry) =>
    e.kind === kind && (m.name === undefined || e.name === m.name) && (m.origin === undefined || e.origin === m.origin) && (kind !== 'listener' || tagsMatch(e.tags(), m.tags));
  switch (mod.operation) {
    case 'Add': {
      const added = PatchEntry.added(kind, valueJson(kind, mod.value));
      const i = entries.findIndex((e) => e.kind === kind && e.name === added.name);
      if (i < 0) return [...entries, added];
      return entries.map((e, j) => (j === i ? added : e));
    }
    case 'Remove':
      return entries.filter((e) => !matches(e));
    case 'Patch':
      for (const e of entries) if (matches(e)) e.json = patched(kind, e.json, mod);
      return entries;
    default:
      throw new Error(`unknown ${kind} operation "${mod.operation}"`);
  }
}

/** A filter-list operation on one list; returns the new list. */
function modifyFilters(list: Json[], kind: 'networkFilter' | 'httpFilter', mod: Modification): Json[] {
  const name = mod.match?.name;
  const at = name === undefined ? -1 : list.findIndex((f) => f.name === name);
  switch (mod.operation) {
    case 'AddFirst':
      return [valueJson(kind, mod.value), ...list];
    case 'AddLast':
      return [...list, valueJson(kind, mod.value)];
    case 'AddBefore':
    case 'AddAfter': {
      if (at < 0) return list;
      const i = mod.operation === 'AddBefore' ? at : at + 1;
      return [...list.slice(0, i), valueJson(kind, mod.value), ...list.slice(i)];
    }
    case 'Patch':
      return list.map((f) => (f.name === name ? patched(kind, f, mod) : f));
    case 'Remove':
      return list.filter((f) => name !== undefined && f.name !== name);
    default:
      throw new Error(`unknown ${kind} operation "${mod.operation}"`);
  }
}

function listenerMatches(e: PatchEntry, m: Match): boolean {
  return e.kind === 'listener' && (m.listenerName === undefined || e.name === m.listenerName) && (m.origin === undefined || e.origin === m.origin) && tagsMatch(e.tags(), m.listenerTags);
}

/** The typed configs of the http_connection_managers in a listener's JSON. */
function connectionManagers(listener: Json): Json[] {
  const out: Json[] = [];
  for (const chain of objs(listener.filterChains)) {
    for (const f of objs(chain.filters)) {
      const tc = f.typedConfig as Json | undefined;
      if (f.name === HCM_NAME && tc && tc['@type'] === HCM_TYPE) out.push(tc);
    }
  }
  return out;
}

function modifyListenerFilters(entries: PatchEntry[], kind: 'networkFilter' | 'httpFilter', mod: Modification): void {
  const m = mod.match ?? {};
  for (const e of entries) {
    if (!listenerMatches(e, m)) continue;
    const json = e.json;
    if (kind === 'networkFilter') for (const chain of objs(json.filterChains)) chain.filters = modifyFilters(objs(chain.filters), kind, mod);
    else for (const hcm of connectionManagers(json)) hcm.httpFilters = modifyFilters(objs(hcm.httpFilters), kind, mod);
  }
}

function modifyVirtualHosts(routeConfig: Json, mod: Modification): void {
  const m = mod.match ?? {};
  if (m.routeConfigurationName !== undefined && routeConfig.name !== m.routeConfigurationName) return;
  const vhs = objs(routeConfig.virtualHosts);
  const hit = (v: Json) => m.name === undefined || v.name === m.name;
  switch (mod.operation) {
    case 'Add':
      routeConfig.virtualHosts = [...vhs, valueJson('virtualHost', mod.value)];
      return;
    case 'Patch':
      routeConfig.virtualHosts = vhs.map((v) => (hit(v) ? patched('virtualHost', v, mod) : v));
      return;
    case 'Remove':
      routeConfig.virtualHosts = vhs.filter((v) => !hit(v));
      return;
    default:
      throw new Error(`unknown virtualHost operation "${mod.operation}"`);
  }
}

function modifyAllVirtualHosts(entries: PatchEntry[], mod: Modification): void {
  const origin = mod.match?.origin;
  for (const e of entries) {
    if (origin !== undefined && e.origin !== origin) continue;
    if (e.kind === 'route') modifyVirtualHosts(e.json, mod);
    else if (e.kind === 'listener') {
      for (const hcm of connectionManagers(e.json)) {
        if (typeof hcm.routeConfig === 'object' && hcm.routeConfig !== null) modifyVirtualHosts(hcm.routeConfig as Json, mod);
      }
    }
  }
}

/** Applies one modification of `kind`; returns the entry list to go on with. */
export function applyModification(entries: PatchEntry[], kind: ModificationKind, mod: Modification): PatchEntry[] {
  switch (kind) {
    case 'cluster':
    case 'listener':
      return modifyResource(entries, kind, mod);
    case 'networkFilter':
    case 'httpFilter':
      modifyListenerFilters(entries, kind, mod);
      return entries;
    case 'virtualHost':
      modifyAllVirtualHosts(entries, mod);
      return entries;
  }
}
