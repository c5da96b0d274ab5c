/**
 * Kuma's hashed resource SNI (spec kuma-kds-xds.md §2.4 #2, SNIForResource):
 * `a<16 hex of fnv64a("<name>;<mesh>;")>.<name>.<port>.<mesh>.<ms|mes|mzms>`, name and mesh cut to
 * 62 characters plus `x` when longer. The sidecar sends it, the destination zone's ingress routes on
 * it without terminating TLS.
 */
import type { Resource } from '../resources/model';
import { LABEL } from '../resources/model';
import { NAMESPACE_LABEL, displayName } from './labels';
import type { VipKind } from './vips';

const ABBREV: Record<VipKind, string> = { MeshService: 'ms', MeshExternalService: 'mes', MeshMultiZoneService: 'mzms' };

function fnv64aHex(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(s, 'utf8')) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}

function cut(s: string): string {
  return s.length > 62 ? `${s.slice(0, 62)}x` : s;
}

export function sniForResource(resName: string, mesh: string, kind: VipKind, port: number): string {
  return `a${fnv64aHex(`${resName};${mesh};`)}.${cut(resName)}.${port}.${cut(mesh)}.${ABBREV[kind]}`;
}

/**
 * The name a MeshService goes by in its SNI (Kuma SNIName): a copy from the global uses its display
 * name (plus `.<namespace>` when it has one), a local one its own name (plus the namespace label).
 * Both ends compute the same string: the sending zone from the copy, the ingress from the original.
 */
export function meshServiceSniName(ms: Pick<Resource, 'name' | 'labels'>): string {
  const base = ms.labels[LABEL.origin] === 'global' ? displayName(ms) : ms.name;
  const ns = ms.labels[NAMESPACE_LABEL];
  return ns ? `${base}.${ns}` : base;
}
