/**
 * Reads the CA of a mesh's enabled mTLS backend from the store: the builtin
 * CA secrets, or the cert and key data sources of a `provided` backend
 * (`{secret}`, `{inline}` base64, `{inlineString}` or `{file}`).
 */
import { readFileSync } from 'node:fs';
import { KumaError } from '../errors';
import type { ResourceStore } from '../store/resource-store';
import { builtinCaCertSecretName, builtinCaKeySecretName, enabledBackend, type MtlsBackend } from './mtls-config';

/** The mesh has mTLS on but its CA is not in the store (yet: the CA manager or KDS will write it). */
export class CaNotReadyError extends KumaError {
  constructor(message: string) {
    super('KUMA_NOT_FOUND', message);
    this.name = 'CaNotReadyError';
  }
}

export interface MeshCa {
  mesh: string;
  backend: MtlsBackend;
  certPem: string;
  keyPem: string;
}

/** The CA of `mesh`, or undefined when the mesh does not exist or has mTLS off. Throws CaNotReadyError when the material is missing. */
export function loadMeshCa(store: ResourceStore, mesh: string): MeshCa | undefined {
  const m = store.get({ type: 'Mesh', mesh: '', name: mesh });
  const backend = m && enabledBackend(m.spec);
  if (!backend) return undefined;
  if (backend.type === 'builtin') {
    const certPem = secretText(store, mesh, builtinCaCertSecretName(mesh, backend.name));
    const keyPem = secretText(store, mesh, builtinCaKeySecretName(mesh, backend.name));
    if (certPem === undefined || keyPem === undefined) throw new CaNotReadyError(`the builtin CA of mesh "${mesh}" (backend "${backend.name}") is not created yet`);
    return { mesh, backend, certPem, keyPem };
  }
  if (backend.type === 'provided') {
    const certPem = dataSource(store, mesh, backend.conf.cert, 'cert');
    const keyPem = dataSource(store, mesh, backend.conf.key, 'key');
    return { mesh, backend, certPem, keyPem };
  }
  throw new CaNotReadyError(`mesh "${mesh}": CA backend type "${backend.type}" is not supported (use builtin or provided)`);
}

/**
 * Decoded per stored Secret object (the store hands out the same object until it changes): the CA
 * is read for every proxy of a pass, and equal text as the same string makes comparing it free.
 */
const decoded = new WeakMap<object, string>();

function secretText(store: ResourceStore, mesh: string, name: string): string | undefined {
  const s = store.get({ type: 'Secret', mesh, name });
  if (!s) return undefined;
  let text = decoded.get(s);
  if (text === undefined) decoded.set(s, (text = Buffer.from(String(s.spec.data ?? ''), 'base64').toString('utf8')));
  return text;
}

function dataSource(store: ResourceStore, mesh: string, ds: unknown, field: string): string {
  const d = (ds ?? {}) as { secret?: string; file?: string; inline?: string; inlineString?: string };
  if (d.secret) {
    const text = secretText(store, mesh, d.secret);
    if (text === undefined) throw new CaNotReadyError(`mesh "${mesh}": the provided CA ${field} secret "${d.secret}" does not exist`);
    return text;
  }
  if (d.inlineString) return d.inlineString;
  if (d.inline) return Buffer.from(d.inline, 'base64').toString('utf8');
  if (d.file) {
    try {
      return readFileSync(d.file, 'utf8');
    } catch (e) {
      throw new CaNotReadyError(`mesh "${mesh}": could not read the provided CA ${field} file "${d.file}": ${(e as Error).message}`);
    }
  }
  throw new CaNotReadyError(`mesh "${mesh}": the provided CA backend has no ${field}`);
}
