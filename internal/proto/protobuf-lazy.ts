/**
 * @bufbuild/protobuf, loaded on first use. Its index boots the descriptors of every well-known
 * type when it is evaluated (~70 ms of a CP's start); only KDS spec encoding and MeshProxyPatch
 * need it, so a standalone zone that never meets either does not pay for it. Type-only imports of
 * the package stay free.
 */
type Protobuf = typeof import('@bufbuild/protobuf');
type Wkt = typeof import('@bufbuild/protobuf/wkt');
type Reflect = typeof import('@bufbuild/protobuf/reflect');

let pb: Protobuf | undefined;
let wkt: Wkt | undefined;
let rf: Reflect | undefined;

/* eslint-disable @typescript-eslint/no-require-imports */
export const protobuf = (): Protobuf => (pb ??= require('@bufbuild/protobuf') as Protobuf);
export const protobufWkt = (): Wkt => (wkt ??= require('@bufbuild/protobuf/wkt') as Wkt);
export const protobufReflect = (): Reflect => (rf ??= require('@bufbuild/protobuf/reflect') as Reflect);
