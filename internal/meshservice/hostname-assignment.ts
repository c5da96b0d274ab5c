/**
 * Which hostnames the HostnameGenerators give the resources of one kind in one mesh, and the
 * `Generated` condition of each generator (Kuma hostnamegenerator/hostname/generator.go):
 *
 * - generators are tried zone-origin first, then by creation time, then by name; for each, the
 *   resources by creation time, then name;
 * - a hostname already taken in the mesh by another resource of the same kind is a collision: the
 *   later resource gets no address from that generator and its condition is `Generated` False,
 *   reason `Collision`, message "Hostname collision with <Kind>: <its own name>" (Kuma's wording);
 * - otherwise `Generated` True, reason `Generated`; a resource may get the same hostname from two
 *   generators (both are listed);
 * - a generator that renders nothing for a resource (it does not select it, or the template names
 *   a value the resource lacks) leaves no entry.
 *
 * Kinds do not collide with each other (Kuma runs the loop per kind). Status lists addresses and
 * generators in generator name order. DNS and xDS read the addresses from here, so a hostname
 * lost to a collision is neither answered nor routed for the loser. Pure.
 */
import { LABEL, type Resource } from '../resources/model';
import { renderHostname } from './hostnames';
import { obj } from './labels';
import type { VipKind } from './vips';

const SELECTOR_FIELD: Record<VipKind, string> = {
  MeshService: 'meshService',
  MeshMultiZoneService: 'meshMultiZoneService',
  MeshExternalService: 'meshExternalService',
};

export interface GeneratedCondition {
  type: 'Generated';
  status: 'True' | 'False';
  reason: 'Generated' | 'Collision';
  message: string;
}

export interface AssignedHostnames {
  /** Hostnames kept, each with the generator that made it, in generator name order. */
  addresses: { hostname: string; generator: string }[];
  /** Every generator that rendered a hostname for the resource, in name order. */
  generators: { generator: string; condition: GeneratedCondition }[];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byAgeThenName(a: Resource, b: Resource): number {
  return cmp(a.creationTime, b.creationTime) || cmp(a.name, b.name);
}

function generatorOrder(a: Resource, b: Resource): number {
  const za = a.labels[LABEL.origin] === 'zone';
  const zb = b.labels[LABEL.origin] === 'zone';
  if (za !== zb) return za ? -1 : 1;
  return byAgeThenName(a, b);
}

/**
 * The hostnames of every resource of `kind` in `resources` (all of one mesh), by resource name.
 * Resources no generator renders for are absent.
 */
export function assignHostnames(kind: VipKind, resources: readonly Resource[], generators: readonly Resource[]): Map<string, AssignedHostnames> {
  const field = SELECTOR_FIELD[kind];
  // A generator without a selector for this kind never applies; one with empty matchLabels selects every resource.
  const gens = generators.filter((g) => typeof g.spec.template === 'string' && obj(g.spec.selector)[field] !== undefined).sort(generatorOrder);
  const out = new Map<string, AssignedHostnames>();
  if (gens.length === 0 || resources.length === 0) return out;
  const sorted = [...resources].sort(byAgeThenName);
  /** hostname -> resource name that holds it. */
  const taken = new Map<string, string>();
  const found = new Map<string, Map<string, { hostname?: string; condition: GeneratedCondition }>>();
  for (const g of gens) {
    const matchLabels = Object.entries(obj(obj(obj(g.spec.selector)[field]).matchLabels));
    for (const r of sorted) {
      if (!matchLabels.every(([k, v]) => r.labels[k] === v)) continue;
      const h = renderHostname(g.spec.template as string, r);
      if (!h) continue;
      const holder = taken.get(h);
      let entry: { hostname?: string; condition: GeneratedCondition };
      if (holder !== undefined && holder !== r.name) {
        entry = { condition: { type: 'Generated', status: 'False', reason: 'Collision', message: `Hostname collision with ${kind}: ${r.name}` } };
      } else {
        taken.set(h, r.name);
        entry = { hostname: h, condition: { type: 'Generated', status: 'True', reason: 'Generated', message: '' } };
      }
      let perGen = found.get(r.name);
      if (!perGen) found.set(r.name, (perGen = new Map()));
      perGen.set(g.name, entry);
    }
  }
  for (const [name, perGen] of found) {
    const a: AssignedHostnames = { addresses: [], generators: [] };
    for (const gen of [...perGen.keys()].sort(cmp)) {
      const e = perGen.get(gen)!;
      if (e.hostname) a.addresses.push({ hostname: e.hostname, generator: gen });
      a.generators.push({ generator: gen, condition: e.condition });
    }
    out.set(name, a);
  }
  return out;
}

/** Just the hostnames kept, by resource name (what DNS and xDS answer for). */
export function hostnamesByName(assigned: ReadonlyMap<string, AssignedHostnames>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, a] of assigned) out.set(name, [...new Set(a.addresses.map((x) => x.hostname))]);
  return out;
}
