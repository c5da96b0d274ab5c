/**
 * How a resource spec travels inside KumaResource.spec, per type, as Kuma
 * 2.14 does it (kuma-wire/kds-wire.md §2): a legacy type's spec is an Any of
 * its own protobuf message (type URL type.googleapis.com/<message>,
 * deterministic encoding); a targetRef-era type's spec is an Any with an
 * empty type URL holding the spec's JSON text (Go encoding/json).
 *
 * Our stored specs are Kuma's JSON form (protojson, camelCase), so a legacy
 * spec is mapped JSON -> message -> bytes and back by reflection over the
 * descriptors of proto/kuma/** (proto/gen/kuma/spec-descriptors.ts).
 */
import type { DescField, DescMessage, FileRegistry, JsonValue } from '@bufbuild/protobuf';
import { KUMA_SPEC_DESCRIPTOR_SET_BASE64 } from '../../proto/gen/kuma/spec-descriptors';
import { protobuf, protobufWkt } from '../proto/protobuf-lazy';
import type { ResourceDescriptor } from '../resources/registry';
import type { Spec } from '../resources/model';
import { DataplaneInsight } from '../../proto/gen/kuma/mesh/v1alpha1/dataplane_insight';
import { ZoneIngressInsight } from '../../proto/gen/kuma/mesh/v1alpha1/zone_ingress_insight';
import { ZoneEgressInsight } from '../../proto/gen/kuma/mesh/v1alpha1/zoneegressinsight';

const TYPE_URL_PREFIX = 'type.googleapis.com/';

// Built on first use, not at import: it costs ~100 ms of a CP's start, and a standalone zone never needs it.
let registryBuilt: FileRegistry | undefined;
const specRegistry = () =>
  (registryBuilt ??= protobuf().createFileRegistry(protobuf().fromBinary(protobufWkt().FileDescriptorSetSchema, Buffer.from(KUMA_SPEC_DESCRIPTOR_SET_BASE64, 'base64'))));

/** Kuma's system-package types; every other legacy type is kuma.mesh.v1alpha1.<type name>. */
const SYSTEM_MESSAGES: Record<string, string> = {
  Secret: 'kuma.system.v1alpha1.Secret',
  GlobalSecret: 'kuma.system.v1alpha1.Secret',
  Zone: 'kuma.system.v1alpha1.Zone',
  ZoneInsight: 'kuma.system.v1alpha1.ZoneInsight',
  Config: 'kuma.system.v1alpha1.Config',
};

export type SpecEncoding = { kind: 'json' } | { kind: 'proto'; message: DescMessage; typeUrl: string };

const JSON_ENCODING: SpecEncoding = { kind: 'json' };
const encodings = new Map<string, SpecEncoding>();

/** The encoding of a type's spec; throws for a legacy type without a message (a registry bug). */
export function specEncodingOf(d: Pick<ResourceDescriptor, 'name' | 'nestedSpec'>): SpecEncoding {
  let e = encodings.get(d.name);
  if (!e) {
    if (d.nestedSpec) e = JSON_ENCODING;
    else {
      const name = SYSTEM_MESSAGES[d.name] ?? `kuma.mesh.v1alpha1.${d.name}`;
      const message = specRegistry().getMessage(name);
      if (!message) throw new Error(`resource type ${d.name}: no protobuf message ${name} in proto/kuma`);
      e = { kind: 'proto', message, typeUrl: TYPE_URL_PREFIX + name };
    }
    encodings.set(d.name, e);
  }
  return e;
}

/**
 * Insights are the specs a zone sends most (every proxy's, after every flush): for them the JSON
 * goes through the generated ts-proto codecs, some ten times cheaper than reflection. Same bytes
 * (test/unit/kds/spec-codec-fast.test.ts compares them).
 */
const GENERATED_ENCODERS: Record<string, { fromJSON(o: unknown): unknown; encode(m: never): { finish(): Uint8Array } }> = {
  DataplaneInsight,
  ZoneIngressInsight,
  ZoneEgressInsight,
};

export interface PackedSpec {
  typeUrl: string;
  value: Buffer;
}

export function encodeSpec(d: Pick<ResourceDescriptor, 'name' | 'nestedSpec'>, spec: Spec): PackedSpec {
  return encodeSpecWith(d, spec, true);
}

/** encodeSpec, with the generated insight encoders or (`fast` false) reflection only: tests compare the two. */
export function encodeSpecWith(d: Pick<ResourceDescriptor, 'name' | 'nestedSpec'>, spec: Spec, fast: boolean): PackedSpec {
  const e = specEncodingOf(d);
  if (e.kind === 'json') return { typeUrl: '', value: Buffer.from(goJson(spec)) };
  const json = toProtoJson(e.message, spec, '') as JsonValue;
  const generated = fast ? GENERATED_ENCODERS[d.name] : undefined;
  if (generated) {
    const bytes = generated.encode(generated.fromJSON(json) as never).finish();
    return { typeUrl: e.typeUrl, value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }
  let msg;
  try {
    msg = protobuf().fromJson(e.message, json, { registry: specRegistry() });
  } catch (err) {
    throw new Error(`spec does not fit Kuma's ${e.message.typeName}: ${(err as Error).message}`);
  }
  const bytes = protobuf().toBinary(e.message, msg);
  return { typeUrl: e.typeUrl, value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** The stored (JSON) form of a received spec; throws with the reason when it is not this type's. */
export function decodeSpec(d: Pick<ResourceDescriptor, 'name' | 'nestedSpec'>, any: { typeUrl: string; value: Uint8Array }): Spec {
  const e = specEncodingOf(d);
  let spec: unknown;
  if (e.kind === 'json') {
    // Kuma's receiver ignores the type URL of JSON specs; so do we.
    try {
      spec = any.value.length ? JSON.parse(Buffer.from(any.value.buffer, any.value.byteOffset, any.value.byteLength).toString('utf8')) : {};
    } catch (err) {
      throw new Error(`spec is not JSON: ${(err as Error).message}`);
    }
  } else {
    if (any.typeUrl !== e.typeUrl) throw new Error(`spec has type URL "${any.typeUrl}", expected "${e.typeUrl}"`);
    try {
      spec = protobuf().toJson(e.message, protobuf().fromBinary(e.message, any.value), { registry: specRegistry() });
    } catch (err) {
      throw new Error(`spec is not a valid ${e.message.typeName}: ${(err as Error).message}`);
    }
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new Error('spec is not an object');
  return spec as Spec;
}

/** Go encoding/json's text for a JSON value: JSON.stringify plus Go's HTML-safe escapes. */
export function goJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Our stored JSON as protojson input for `desc`: unknown fields are refused
 * with their path, Go-style durations ("1m30s", accepted by our validators)
 * become protojson's seconds form, and map keys are sorted (Go's
 * deterministic marshalling writes map entries by key; protobuf-es writes
 * them in object order).
 */
function toProtoJson(desc: DescMessage, v: unknown, path: string): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v; // fromJson names the type error
  const fields = fieldIndex(desc);
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    const f = fields.get(k);
    const p = path ? `${path}.${k}` : k;
    if (!f) throw new Error(`${p}: unknown field (Kuma's ${desc.typeName} has no field "${k}")`);
    out[k] = fieldValue(f, val, p);
  }
  return out;
}

function fieldValue(f: DescField, v: unknown, path: string): unknown {
  if (v === null || v === undefined) return v;
  switch (f.fieldKind) {
    case 'message':
      return messageValue(f.message, v, path);
    case 'list':
      return f.listKind === 'message' && Array.isArray(v) ? v.map((x, i) => messageValue(f.message, x, `${path}[${i}]`)) : v;
    case 'map': {
      if (typeof v !== 'object' || Array.isArray(v)) return v;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        out[k] = f.mapKind === 'message' ? messageValue(f.message, x, `${path}["${k}"]`) : x;
      }
      return out;
    }
    default:
      return v;
  }
}

function messageValue(m: DescMessage, v: unknown, path: string): unknown {
  switch (m.typeName) {
    case 'google.protobuf.Duration':
      return typeof v === 'string' ? protoDuration(v, path) : v;
    case 'google.protobuf.Struct':
    case 'google.protobuf.Value':
    case 'google.protobuf.ListValue':
      return sortedDeep(v);
    default:
      return m.typeName.startsWith('google.protobuf.') ? v : toProtoJson(m, v, path);
  }
}

const fieldIndexes = new WeakMap<DescMessage, Map<string, DescField>>();

/** Fields by JSON name and by proto name (protojson accepts both). */
function fieldIndex(desc: DescMessage): Map<string, DescField> {
  let idx = fieldIndexes.get(desc);
  if (!idx) {
    idx = new Map();
    for (const f of desc.fields) {
      idx.set(f.jsonName, f);
      idx.set(f.name, f);
    }
    fieldIndexes.set(desc, idx);
  }
  return idx;
}

function sortedDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedDeep);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortedDeep((v as Record<string, unknown>)[k]);
  return out;
}

const GO_UNIT_NANOS: Record<string, bigint> = { ns: 1n, us: 1_000n, µs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** A Go duration string ("1m30s", "250ms", "0") in protojson's canonical form ("90s", "0.250s"). */
export function protoDuration(s: string, path = 'duration'): string {
  const neg = s.startsWith('-');
  const body = neg || s.startsWith('+') ? s.slice(1) : s;
  let total = 0n;
  if (body !== '0') {
    const re = /(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h)/gy;
    let m: RegExpExecArray | null;
    let at = 0;
    while ((m = re.exec(body))) {
      const frac = m[2] ?? '';
      total += (BigInt(m[1]! + frac) * GO_UNIT_NANOS[m[3]!]!) / 10n ** BigInt(frac.length);
      at = re.lastIndex;
    }
    if (at !== body.length || at === 0) throw new Error(`${path}: "${s}" is not a duration (e.g. "5s", "1m30s", "250ms")`);
  }
  const secs = total / 1_000_000_000n;
  const nanos = total % 1_000_000_000n;
  // protojson prints 0, 3, 6 or 9 fractional digits.
  const digits = nanos === 0n ? 0 : nanos % 1_000_000n === 0n ? 3 : nanos % 1_000n === 0n ? 6 : 9;
  const frac = digits ? '.' + nanos.toString().padStart(9, '0').slice(0, digits) : '';
  return `${neg && total ? '-' : ''}${secs}${frac}s`;
}

/**
 * `spec` cut down to the fields `d`'s protobuf message has, at every depth
 * (map entries and list items too). For specs this CP writes itself with
 * more than Kuma's message holds (insights keep the NACK text and SDS
 * counters locally), so that they still cross KDS instead of failing to
 * encode. JSON-typed specs are returned as they are.
 */
export function fitToMessage(d: Pick<ResourceDescriptor, 'name' | 'nestedSpec'>, spec: Spec): Spec {
  const e = specEncodingOf(d);
  return e.kind === 'json' ? spec : (fitMessage(e.message, spec) as Spec);
}

function fitMessage(desc: DescMessage, v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || desc.typeName.startsWith('google.protobuf.')) return v;
  const fields = fieldIndex(desc);
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    const f = fields.get(k);
    if (!f) continue;
    if (f.fieldKind === 'message') out[k] = fitMessage(f.message, val);
    else if (f.fieldKind === 'list' && f.listKind === 'message' && Array.isArray(val)) out[k] = val.map((x) => fitMessage(f.message, x));
    else if (f.fieldKind === 'map' && f.mapKind === 'message' && val && typeof val === 'object') {
      out[k] = Object.fromEntries(Object.entries(val as Record<string, unknown>).map(([mk, mv]) => [mk, fitMessage(f.message, mv)]));
    } else out[k] = val;
  }
  return out;
}

/**
 * A legacy spec as Kuma prints it (protojson of its message: zero values and
 * empty lists left out, durations and 64-bit integers in protojson's form);
 * JSON-typed specs are returned as they are.
 */
export function protojsonForm(d: Pick<ResourceDescriptor, 'name' | 'nestedSpec'>, spec: Spec): Spec {
  return specEncodingOf(d).kind === 'json' ? spec : decodeSpec(d, encodeSpec(d, spec));
}
