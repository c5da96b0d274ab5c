/**
 * google.protobuf.Any helpers for the ts-proto generated code in proto/gen (ts-proto has no
 * Any.pack/unpack).
 *
 * `unpack` resolves the type through ts-proto's `messageTypeRegistry`. A generated module
 * registers its messages when it is first imported, so the module of every type you expect to
 * unpack must have been imported somewhere (importing its MessageFns, e.g. `Cluster`, is enough).
 * `unpackAs` needs no registry and is the type-safe choice when the expected type is known.
 */
import type { BinaryWriter } from '@bufbuild/protobuf/wire';
import { Any } from '../../proto/gen/google/protobuf/any';
import { type DeepPartial, type MessageType, messageTypeRegistry } from '../../proto/gen/typeRegistry';

export const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** The parts of a generated MessageFns object (e.g. `Cluster`) that packing needs. */
export interface PackableFns<T> {
  readonly $type: string;
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  fromPartial(object: DeepPartial<T>): T;
}

/** The parts of a generated MessageFns object that unpacking needs. */
export interface UnpackableFns<T> {
  readonly $type: string;
  decode(input: Uint8Array, length?: number): T;
}

/** `type.googleapis.com/<full name>` for a generated message type. */
export function typeUrlOf(fns: { readonly $type: string }): string {
  return TYPE_URL_PREFIX + fns.$type;
}

/** The full message name of a type URL: everything after the last '/'. */
export function typeNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}

/** Wraps encoder output without copying: `env=node` types `bytes` fields as Buffer. */
export function toBuffer(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** Packs an already-encoded message of the given type. */
export function packBytes(fns: { readonly $type: string }, bytes: Uint8Array): Any {
  return { typeUrl: typeUrlOf(fns), value: toBuffer(bytes) };
}

/** Builds the message from a partial (ts-proto `fromPartial`, missing fields defaulted) and packs it. */
export function pack<T>(fns: PackableFns<T>, partial: DeepPartial<T>): Any {
  return packMessage(fns, fns.fromPartial(partial));
}

/**
 * Packs a complete message (every field present, as `fromPartial`/`decode` build them) without
 * the deep copy `fromPartial` makes. Use it on hot paths.
 */
export function packMessage<T>(fns: Pick<PackableFns<T>, '$type' | 'encode'>, message: T): Any {
  return packBytes(fns, fns.encode(message).finish());
}

/** Decodes an Any whose type is registered in ts-proto's messageTypeRegistry. */
export function unpack(any: Any): unknown {
  const name = typeNameOf(any.typeUrl);
  const fns: MessageType | undefined = messageTypeRegistry.get(name);
  if (!fns) {
    throw new Error(
      `cannot unpack Any: message type "${name}" (type URL "${any.typeUrl}") is not registered; ` +
        `import its generated module from proto/gen first`,
    );
  }
  return fns.decode(any.value);
}

/** Decodes an Any as the given type; throws when its type URL names another type. */
export function unpackAs<T>(fns: UnpackableFns<T>, any: Any): T {
  const name = typeNameOf(any.typeUrl);
  if (name !== fns.$type) {
    throw new Error(`cannot unpack Any: expected type "${fns.$type}", got "${any.typeUrl}"`);
  }
  return fns.decode(any.value);
}

/** Whether the Any holds the given type. */
export function isType(fns: { readonly $type: string }, any: Any): boolean {
  return typeNameOf(any.typeUrl) === fns.$type;
}

export { Any };
