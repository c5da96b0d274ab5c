/**
 * Envoy resources in protojson form (what Kuma's MeshProxyPatch `value` and `jsonPatches` work on),
 * by reflection over the vendored descriptors (@bufbuild/protobuf): strict decoding (unknown fields
 * and unknown `@type`s are errors, "5s" durations) and the bridge to and from our ts-proto objects
 * through the binary encoding. The registry is built on first use: only a mesh with a
 * MeshProxyPatch pays for it.
 */
import type { DescMessage, FileRegistry, JsonValue } from '@bufbuild/protobuf';
import { ENVOY_DESCRIPTOR_SET_BASE64 } from '../../proto/gen/envoy-descriptors';
import { protobuf, protobufWkt } from './protobuf-lazy';

let built: FileRegistry | undefined;
/** Every vendored Envoy message (and the well-known types), for reflection and Any resolution. */
export const envoyRegistry = () => 
  (built ??= protobuf().createFileRegistry(protobuf().fromBinary(protobufWkt().FileDescriptorSetSchema, Buffer.from(ENVOY_DESCRIPTOR_SET_BASE64, 'base64'))));

/** The descriptor of an Envoy message by full name; throws when it is not vendored. */
export function envoyDesc(typeName: string): DescMessage {
  const m = envoyRegistry().getMessage(typeName);
  if (!m) throw new Error(`no descriptor for ${typeName}`);
  return m;
}

/** The binary form of protojson `json` as message `typeName`; throws with protojson's reason. */
export function envoyJsonToBinary(typeName: string, json: unknown): Uint8Array {
  const d = envoyDesc(typeName);
  const reg = envoyRegistry();
  const { toBinary, fromJson } = protobuf();
  return toBinary(d, fromJson(d, json as JsonValue, { registry: reg }), { writeUnknownFields: false });
}

/** The protojson form (camelCase names, Anys as `@type` objects) of a binary message. */
export function envoyBinaryToJson(typeName: string, bytes: Uint8Array): JsonValue {
  const d = envoyDesc(typeName);
  const reg = envoyRegistry();
  const { toJson, fromBinary } = protobuf();
  return toJson(d, fromBinary(d, bytes), { registry: reg });
}

/** protojson's reason as a one-line message without the library's prefix. */
export function protojsonReason(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/^\[[a-z_]+\]\s*/, '');
}
