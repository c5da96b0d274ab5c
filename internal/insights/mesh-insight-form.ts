/**
 * A computed MeshInsight in the form Kuma prints it (protojson of its message): zero counters and
 * empty maps left out, messages kept even when empty. Written out for this one shape so that a
 * fresh CP's first insight, computed before /ready, does not build the protobuf registry
 * (test/unit/insights/mesh-insight-form.test.ts checks it against protojson itself).
 */
import type { Spec } from '../resources/model';

type Obj = Record<string, unknown>;

/** A message of counters (DataplaneStat, PolicyStat, ServicesStats...): zeros left out. */
function counters(v: unknown): Obj {
  const out: Obj = {};
  for (const [k, x] of Object.entries((v ?? {}) as Obj)) if (typeof x === 'number' && x !== 0) out[k] = x;
  return out;
}

/** A map of counter messages: left out when empty; keys sorted, as the binary round trip leaves them. */
function counterMap(v: unknown): Obj | undefined {
  const entries = Object.entries((v ?? {}) as Obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? undefined : Object.fromEntries(entries.map(([k, x]) => [k, counters(x)]));
}

/** A message holding maps of counter messages (dpVersions, mTLS). */
function maps(v: unknown, keys: readonly string[]): Obj {
  const out: Obj = {};
  for (const k of keys) {
    const m = counterMap((v as Obj | undefined)?.[k]);
    if (m) out[k] = m;
  }
  return out;
}

export function meshInsightForm(spec: Spec): Spec {
  const out: Spec = {};
  if (spec.dataplanes) out.dataplanes = counters(spec.dataplanes);
  const policies = counterMap(spec.policies);
  if (policies) out.policies = policies;
  if (spec.dpVersions) out.dpVersions = maps(spec.dpVersions, ['kumaDp', 'envoy']);
  if (spec.mTLS) out.mTLS = maps(spec.mTLS, ['issuedBackends', 'supportedBackends']);
  if (spec.services) out.services = counters(spec.services);
  if (spec.dataplanesByType) {
    const byType = spec.dataplanesByType as Obj;
    out.dataplanesByType = Object.fromEntries(['standard', 'gateway', 'gatewayBuiltin', 'gatewayDelegated'].filter((k) => byType[k]).map((k) => [k, counters(byType[k])]));
  }
  const resources = counterMap(spec.resources);
  if (resources) out.resources = resources;
  return out;
}
