/**
 * Self-signed TLS certificates: the control plane's own server certificate
 * (DP server, KDS, later HTTPS API; spec kuma-api-cli.md §4.3) and
 * `kuma generate tls-certificate`.
 *
 * Shape follows Kuma's pkg/tls/cert.go: the certificate is its own CA
 * (clients trust it by pinning the file with --ca-cert-file), key usage
 * digitalSignature|keyEncipherment|keyCertSign, EKU serverAuth or
 * clientAuth, NotBefore 5 minutes back for clock skew.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { X509Certificate } from 'node:crypto';
import { basicConstraintsCa, extKeyUsage, keyUsage, selfSignedCert, subjectAltName, subjectKeyIdentifier, type CertAndKey } from './cert-builder';
import { children, readTlv } from './der';
import { ipText } from './ip';
import { ECDSA_P256, type KeyKind } from './keys';

// subjectAltName 2.5.29.17, as DER.
const SAN_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x11]);

export const CP_CERT_FILE = 'kuma-cp.crt';
export const CP_KEY_FILE = 'kuma-cp.key';

const CLOCK_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
/** Kuma's DefaultValidityPeriod for self-signed certs: 10 years. */
export const DEFAULT_VALIDITY_DAYS = 3650;

export interface SelfSignedOptions {
  /** DNS SANs; the first one is also the subject CN. */
  hostnames: string[];
  /** IP SANs (v4 or v6). Entries of `hostnames` that are IPs are moved here. */
  ips?: string[];
  validityDays?: number;
  /** server (default) adds EKU serverAuth, client adds clientAuth. */
  type?: 'server' | 'client';
  key?: KeyKind;
  now?: Date;
}

export type { CertAndKey };

export async function generateServerCert(opts: SelfSignedOptions): Promise<CertAndKey> {
  const dns = opts.hostnames.filter((h) => isIP(h) === 0);
  const ips = [...new Set([...(opts.ips ?? []), ...opts.hostnames.filter((h) => isIP(h) !== 0)])];
  if (dns.length === 0 && ips.length === 0) throw new ConfigError('at least one hostname must be given');
  const now = opts.now ?? new Date();
  return selfSignedCert({
    subject: [['CN', dns[0] ?? ips[0]!]],
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + (opts.validityDays ?? DEFAULT_VALIDITY_DAYS) * DAY_MS),
    key: opts.key ?? ECDSA_P256,
    extensions: (spki) => [
      basicConstraintsCa(),
      keyUsage(['digitalSignature', 'keyEncipherment', 'keyCertSign']),
      extKeyUsage([opts.type === 'client' ? 'clientAuth' : 'serverAuth']),
      subjectAltName([...dns.map((value) => ({ type: 'dns' as const, value })), ...ips.map((value) => ({ type: 'ip' as const, value }))]),
      subjectKeyIdentifier(spki),
    ],
  });
}

/** The names a client may use to reach this host: hostname, localhost and every local interface address. */
export function localSans(): { hostnames: string[]; ips: string[] } {
  const ips = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) ips.add(a.address);
  }
  return { hostnames: [...new Set([hostname(), 'localhost'])], ips: [...ips] };
}

/** DNS and IP SANs of a PEM certificate (for the bootstrap Host check of spec §4.3). */
export function certificateSans(certPem: string): string[] {
  const der = new X509Certificate(certPem).raw;
  const fields = children(der, children(der, readTlv(der, 0))[0]!);
  const exts = fields.find((f) => f.tag === 0xa3);
  if (!exts) return [];
  for (const ext of children(der, children(der, exts)[0]!)) {
    const parts = children(der, ext);
    if (!SAN_OID.equals(der.subarray(parts[0]!.start, parts[0]!.end))) continue;
    const value = parts[parts.length - 1]!;
    const out: string[] = [];
    for (const n of children(der, readTlv(der, value.contentStart, value.end))) {
      const bytes = der.subarray(n.contentStart, n.end);
      if (n.tag === 0x82) out.push(Buffer.from(bytes).toString('latin1'));
      else if (n.tag === 0x87) out.push(ipText(bytes));
    }
    return out;
  }
  return [];
}

export interface CpCert extends CertAndKey {
  certFile: string;
  keyFile: string;
  /** True when this call generated the pair. */
  generated: boolean;
}

/**
 * The control plane's TLS pair. Configured files (general.tlsCertFile and
 * tlsKeyFile) win and must both be set; otherwise `<workDir>/kuma-cp.crt`
 * and `.key` are used, generated on first start with the local SANs.
 */
export async function loadOrCreateCpCert(workDir: string, files: { certFile?: string; keyFile?: string } = {}): Promise<CpCert> {
  if (files.certFile || files.keyFile) {
    if (!files.certFile || !files.keyFile) {
      throw new ConfigError('general.tlsCertFile and general.tlsKeyFile (KUMA_GENERAL_TLS_CERT_FILE, KUMA_GENERAL_TLS_KEY_FILE) must be set together');
    }
    return { ...readPair(files.certFile, files.keyFile), certFile: files.certFile, keyFile: files.keyFile, generated: false };
  }
  const certFile = join(workDir, CP_CERT_FILE);
  const keyFile = join(workDir, CP_KEY_FILE);
  if (existsSync(certFile) && existsSync(keyFile)) return { ...readPair(certFile, keyFile), certFile, keyFile, generated: false };
  const pair = await generateServerCert({ ...localSans(), type: 'server' });
  // Key first and through a rename, so a crash never leaves a cert without its key or a half-written key.
  writeAtomic(keyFile, pair.keyPem, 0o600);
  writeAtomic(certFile, pair.certPem, 0o644);
  return { ...pair, certFile, keyFile, generated: true };
}

function readPair(certFile: string, keyFile: string): CertAndKey {
  const read = (f: string, what: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch (e) {
      throw new ConfigError(`could not read the TLS ${what} file "${f}": ${(e as Error).message}`);
    }
  };
  return { certPem: read(certFile, 'certificate'), keyPem: read(keyFile, 'key') };
}

function writeAtomic(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}
