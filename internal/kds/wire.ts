/**
 * Resources on the KDS wire (kuma-kds-xds.md §1.3): a delta `Resource` named
 * `<name>.<mesh>` (global-scoped: `<name>.`) whose Any carries a KumaResource
 * {meta, spec}; `type_url` of requests and responses is the Kuma type name.
 * Our specs are JSON objects, so `spec` is an Any of ResourceSpecJson.
 */
import { createHash } from 'node:crypto';
import { Resource as WireResource } from '../../proto/gen/envoy/service/discovery/v3/discovery';
import { KumaResource, ResourceSpecJson } from '../../proto/gen/kuma/mesh/v1alpha1/kds';
import { packBytes, toBuffer, typeUrlOf } from '../proto/any';
import type { Spec } from '../resources/model';

/** What crosses KDS for one resource: identity, labels and spec; versions and times stay local. */
export interface KdsResource {
  type: string;
  mesh: string;
  name: string;
  labels: Record<string, string>;
  spec: Spec;
}

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
  /** sha256 of the encoded KumaResource, 16 hex chars: changes iff the content changes. */
  version: string;
  /** The encoded KumaResource. */
  bytes: Buffer;
}

function sortedLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k]!;
  return out;
}

export function encodeResource(r: KdsResource): EncodedResource {
  const spec = ResourceSpecJson.encode({ json: JSON.stringify(r.spec) }).finish();
  const bytes = toBuffer(
    KumaResource.encode({
      meta: { name: r.name, mesh: r.mesh, version: '', labels: sortedLabels(r.labels) },
      spec: packBytes(ResourceSpecJson, spec),
      status: undefined,
    }).finish(),
  );
  return { wireName: wireName(r), version: createHash('sha256').update(bytes).digest('hex').slice(0, 16), bytes };
}

export function toWireResource(e: EncodedResource): WireResource {
  return WireResource.fromPartial({ name: e.wireName, version: e.version, resource: { typeUrl: typeUrlOf(KumaResource), value: e.bytes } });
}

/** Decodes one wire resource; throws with the resource name on anything malformed. */
export function decodeResource(type: string, w: WireResource): KdsResource {
  const fail = (why: string) => new Error(`${type} ${w.name}: ${why}`);
  if (!w.resource || w.resource.typeUrl !== typeUrlOf(KumaResource)) throw fail(`expected a ${KumaResource.$type}, got ${w.resource?.typeUrl ?? 'nothing'}`);
  const kr = KumaResource.decode(w.resource.value);
  if (!kr.meta) throw fail('no meta');
  if (!kr.spec || kr.spec.typeUrl !== typeUrlOf(ResourceSpecJson)) throw fail('spec is not a ResourceSpecJson');
  let spec: unknown;
  try {
    spec = JSON.parse(ResourceSpecJson.decode(kr.spec.value).json);
  } catch (e) {
    throw fail(`spec is not JSON: ${(e as Error).message}`);
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw fail('spec is not an object');
  return { type, mesh: kr.meta.mesh, name: kr.meta.name, labels: { ...kr.meta.labels }, spec: spec as Spec };
}
