/** Labels and small readers shared by the MeshService family modules. */
import { LABEL, type Resource } from '../resources/model';

export const MANAGED_BY = 'kuma.io/managed-by';
export const GENERATOR = 'meshservice-generator';
export const NAMESPACE_LABEL = 'k8s.kuma.io/namespace';

export type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

export function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(obj) : [];
}

export function displayName(r: Pick<Resource, 'name' | 'labels'>): string {
  return r.labels[LABEL.displayName] ?? r.name;
}

/**
 * Whether a MeshService lives in this zone: not a copy from the global (origin global) and not
 * labelled with another zone (spec kuma-kds-xds.md §2.3, §2.5).
 */
export function isLocal(r: Pick<Resource, 'labels'>, zone: string): boolean {
  if (r.labels[LABEL.origin] === 'global') return false;
  const z = r.labels[LABEL.zone];
  return !z || !zone || z === zone;
}

export function labelsMatch(matchLabels: Obj, labels: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(matchLabels);
  if (keys.length === 0) return false;
  return keys.every((k) => labels[k] === matchLabels[k]);
}

export interface MsPort {
  port: number;
  /** Inbound port number or name it forwards to (defaults to `port`). */
  targetPort: number | string;
  appProtocol: string;
  name: string;
}

/** `spec.ports[]` with defaults: targetPort = port, appProtocol tcp, name = the port number. */
export function portsOf(spec: Obj): MsPort[] {
  const out: MsPort[] = [];
  for (const p of list(spec.ports)) {
    if (typeof p.port !== 'number') continue;
    const target = typeof p.targetPort === 'number' || (typeof p.targetPort === 'string' && p.targetPort !== '') ? (p.targetPort as number | string) : p.port;
    out.push({
      port: p.port,
      targetPort: target,
      appProtocol: typeof p.appProtocol === 'string' && p.appProtocol ? p.appProtocol : 'tcp',
      name: typeof p.name === 'string' && p.name ? p.name : String(p.port),
    });
  }
  return out;
}
