/**
 * What a Mesh's `mtls` section means for certificates (spec kuma-api-cli.md
 * §1.3, kuma-kds-xds.md §3.3): the enabled backend, the CA validity and key
 * size of a builtin backend, the identity certificate validity, and the
 * names of the builtin CA secrets. Pure functions of the Mesh spec.
 */
import type { Spec } from '../resources/model';

/** Kuma's DefaultCACertValidityPeriod: 10 years of 365 days. */
export const DEFAULT_CA_VALIDITY_MS = 10 * 365 * 86_400_000;
/** Kuma's workload certificate validity when `dpCert.rotation.expiration` is unset. */
export const DEFAULT_DP_CERT_VALIDITY_MS = 24 * 3_600_000;

export interface MtlsBackend {
  name: string;
  type: string;
  mode: 'STRICT' | 'PERMISSIVE';
  /** The backend's `conf`, untyped: builtin {caCert}, provided {cert, key}. */
  conf: Record<string, unknown>;
  /** `dpCert.rotation.expiration` in ms, or undefined when unset or unreadable. */
  dpCertValidityMs?: number;
}

/** The enabled backend of a Mesh spec, or undefined when mTLS is off. */
export function enabledBackend(spec: Spec): MtlsBackend | undefined {
  const mtls = spec.mtls as { enabledBackend?: string; backends?: Record<string, unknown>[] } | undefined;
  const name = mtls?.enabledBackend;
  if (!name) return undefined;
  const b = mtls?.backends?.find((x) => x.name === name);
  if (!b) return undefined;
  const rotation = ((b.dpCert as Record<string, unknown> | undefined)?.rotation ?? {}) as { expiration?: unknown };
  return {
    name,
    type: String(b.type ?? ''),
    mode: b.mode === 'PERMISSIVE' ? 'PERMISSIVE' : 'STRICT',
    conf: (b.conf ?? {}) as Record<string, unknown>,
    dpCertValidityMs: typeof rotation.expiration === 'string' ? parseCertDuration(rotation.expiration) : undefined,
  };
}

export interface BuiltinCaConf {
  /** Undefined means ECDSA P-256 (our default; Kuma's is RSA 2048). */
  rsaBits?: number;
  validityMs: number;
}

/** `conf.caCert` of a builtin backend. Throws on an expiration it cannot read, naming the field. */
export function builtinCaConf(backend: MtlsBackend): BuiltinCaConf {
  const caCert = (backend.conf.caCert ?? {}) as { RSAbits?: unknown; expiration?: unknown };
  const bits = Number(caCert.RSAbits ?? 0);
  let validityMs = DEFAULT_CA_VALIDITY_MS;
  if (typeof caCert.expiration === 'string' && caCert.expiration !== '') {
    const ms = parseCertDuration(caCert.expiration);
    if (ms === undefined || ms <= 0) throw new Error(`mtls.backends[${backend.name}].conf.caCert.expiration: "${caCert.expiration}" is not a duration such as 10y, 365d or 8760h`);
    validityMs = ms;
  }
  return { rsaBits: Number.isInteger(bits) && bits > 0 ? bits : undefined, validityMs };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, y: 365 * 86_400_000 };

/**
 * Certificate durations as Kuma's mesh ParseDuration reads them: Go
 * durations plus `d` (days) and `y` (365 days), e.g. "10y", "90d", "24h30m".
 */
export function parseCertDuration(v: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|y)/g;
  let total = 0;
  let consumed = 0;
  for (const m of v.matchAll(re)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed += m[0].length;
  }
  return consumed === v.length && consumed > 0 ? total : undefined;
}

/** Kuma's BuiltinCertSecretName (pkg/core/resources/apis/system/constants.go). */
export function builtinCaCertSecretName(mesh: string, backend: string): string {
  return `${mesh}.ca-builtin-cert-${backend}`;
}

/** Kuma's BuiltinKeySecretName. */
export function builtinCaKeySecretName(mesh: string, backend: string): string {
  return `${mesh}.ca-builtin-key-${backend}`;
}
