/**
 * Resources on the KDS wire (kuma-kds-xds.md §1.3, kuma-wire/kds-wire.md §3-4):
 * a delta `Resource` named `<name>.<mesh>` (global-scoped: `<name>.`),
 * versioned by the SHA-256 of its KumaResource {meta, spec, status}, whose Any
 * carries the KumaResource; `type_url` of requests and responses is the
 * Kuma type name. The spec's own encoding is per type (spec-codec.ts); a
 * status (MeshService-like types, zone -> global) is Go JSON with an empty
 * type URL, as Kuma's ToAny writes it.
 */
import { createHash } from 'node:crypto';
import { Resource as WireResource } from '../../proto/gen/envoy/service/discovery/v3/discovery';
import { KumaResource } from '../../proto/gen/kuma/mesh/v1alpha1/kds';
import { toBuffer, typeUrlOf } from '../proto/any';
import type { Spec } from '../resources/model';
import type { ResourceDescriptor } from '../resources/registry';
import { decodeSpec, encodeSpec } from './spec-codec';

/** What crosses KDS for one resource: identity, labels, spec and (some types) status; versions and times stay local. */
export interface KdsResource {
  type: string;
  mesh: string;
  name: string;
  labels: Record<string, string>;
  spec: Spec;
  /** The sending side's computed status (meshservice/status.ts), when the type has one. */
  status?: Spec;
}

/** The parts of a type descriptor the wire needs. */
export type WireType = Pick<ResourceDescriptor, 'name' | 'nestedSpec'>;

export function wireName(r: { name: string; mesh: string }): string {
  return `${r.name}.${r.mesh}`;
}

/** Splits `<name>.<mesh>` at the last dot (names may contain dots, meshes may not be empty-dotted). */
export function parseWireName(n: string): { name: string; mesh: string } {
  const i = n.lastIndexOf('.');
  return i < 0 ? { name: n, mesh: '' } : { name: n.slice(0, i), mesh: n.slice(i + 1) };
}

export interface EncodedResource {
  wireName: string;
  /** Lowercase hex SHA-256 of the encoded KumaResource (as Kuma): changes iff the content changes. */
  version: string;
  /** The encoded KumaResource. */
  bytes: Buffer;
}

/** Labels in key order: Go's deterministic marshalling writes map entries sorted by key. */
function sortedLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k]!;
  return out;
}

/** Encodes one resource; throws (naming the resource) when its spec does not fit the type's message. */
export function encodeResource(d: WireType, r: KdsResource): EncodedResource {
  let spec;
  try {
    spec = encodeSpec(d, r.spec);
  } catch (e) {
    throw new Error(`${r.type} ${wireName(r)}: ${(e as Error).message}`);
  }
  const bytes = toBuffer(
    KumaResource.encode({
      meta: { name: r.name, mesh: r.mesh, version: '', labels: sortedLabels(r.labels) },
      spec,
      status: r.status ? { typeUrl: '', value: Buffer.from(JSON.stringify(r.status)) } : undefined,
    }).finish(),
  );
  return { wireName: wireName(r), version: createHash('sha256').update(bytes).digest('hex'), bytes };
}

export function toWireResource(e: EncodedResource): WireResource {
  return WireResource.fromPartial({ name: e.wireName, version: e.version, resource: { typeUrl: typeUrlOf(KumaResource), value: e.bytes } });
}

/**
 * Decodes one wire resource; throws with the resource name on anything malformed.
 * A status is kept when it is a JSON object (Kuma sends one for MeshService-like
 * types: the zone's on zone->global, a zero value on global->zone); what is done
 * with it is the receiving side's choice (apply.ts).
 */
export function decodeResource(d: WireType, w: WireResource): KdsResource {
  const fail = (why: string) => new Error(`${d.name} ${w.name}: ${why}`);
  if (!w.resource || w.resource.typeUrl !== typeUrlOf(KumaResource)) throw fail(`expected a ${KumaResource.$type}, got ${w.resource?.typeUrl || 'nothing'}`);
  let kr: KumaResource;
  try {
    kr = KumaResource.decode(w.resource.value);
  } catch (e) {
    throw fail(`not a KumaResource: ${(e as Error).message}`);
  }
  if (!kr.meta) throw fail('no meta');
  if (!kr.spec) throw fail('no spec');
  let spec: Spec;
  try {
    spec = decodeSpec(d, kr.spec);
  } catch (e) {
    throw fail((e as Error).message);
  }
  let status: Spec | undefined;
  if (kr.status && kr.status.value.length > 0) {
    if (kr.status.typeUrl !== '') throw fail(`status: expected JSON with an empty type URL, got ${kr.status.typeUrl}`);
    try {
      status = JSON.parse(Buffer.from(kr.status.value).toString('utf8')) as Spec;
    } catch (e) {
      throw fail(`status is not JSON: ${(e as Error).message}`);
    }
    if (typeof status !== 'object' || status === null || Array.isArray(status)) throw fail('status is not a JSON object');
  }
  return { type: d.name, mesh: kr.meta.mesh, name: kr.meta.name, labels: { ...kr.meta.labels }, spec, ...(status ? { status } : {}) };
}
