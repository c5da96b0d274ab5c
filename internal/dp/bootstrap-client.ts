/**
 * kuma-dp's side of the bootstrap exchange (spec kuma-api-cli.md §4.5; Kuma
 * app/kuma-dp/pkg/dataplane/envoy/remote_bootstrap.go):
 *
 *   POST https://<cp>:5678/bootstrap   Accept: application/json, Content-Type: application/json
 *   200 {"bootstrap": "<base64 Envoy bootstrap>", "kumaSidecarConfiguration": {...}}
 *
 * Retried (every retry waits a doubling delay up to `backoffMs`, for at most
 * `maxDurationMs`): transport failures (connection refused, reset, DNS), 5xx,
 * and 404 with an empty body (the Dataplane is not created yet). Not retried:
 * TLS verification failures, 422 (token missing, mesh missing), any other 4xx.
 */
import type { Dispatcher } from 'undici';
import { BadRequestError, ConfigError, NotFoundError, isKumaError } from '../errors';

/** Kuma's KUMA_CONTROL_PLANE_RETRY_BACKOFF and ..._MAX_DURATION defaults. */
export const DEFAULT_RETRY_BACKOFF_MS = 3_000;
export const DEFAULT_RETRY_MAX_DURATION_MS = 5 * 60_000;
const FIRST_RETRY_MS = 500;
export const BOOTSTRAP_REQUEST_TIMEOUT_MS = 30_000;

export type ProxyType = 'dataplane' | 'ingress' | 'egress';

/** The JSON body kuma-dp sends (Go types.BootstrapRequest field names). */
export interface BootstrapRequest {
  mesh: string;
  name: string;
  proxyType: ProxyType;
  dataplaneToken: string;
  dataplaneTokenPath: string;
  /** The Dataplane/ZoneIngress/ZoneEgress in REST JSON, as a string; "" for a pre-created Dataplane. */
  dataplaneResource: string;
  version: {
    kumaDp: { version: string; gitTag: string; gitCommit: string; buildDate: string };
    envoy: { version: string; build: string; kumaDpCompatible: boolean };
  };
  /** PEM of --ca-cert-file, "" without one. */
  caCert: string;
  dynamicMetadata: Record<string, string>;
  /** The Kuma DNS resolver's port (`--dns-enabled`), 0 = none; the CP then generates VIP outbound listeners. */
  dnsPort: number;
  /** The readiness reporter's port; Kuma's CP refuses a sidecar without one (ReadinessPort has to be in (0, 65535]). */
  readinessPort: number;
  /** Misnamed in Kuma on purpose: true when the app probe proxy is *enabled*. */
  appProbeProxyDisabled: boolean;
  operatingSystem: string;
  features: string[];
  resources: { maxHeapSizeBytes: number };
  workdir: string;
  metricsResources: { certPath: string; keyPath: string };
  systemCaPath: string;
  ipv6Enabled: boolean;
  spireResources: { socketPath: string };
}

/** `kumaSidecarConfiguration` of the answer; kept as sent, the known fields typed. */
export interface KumaSidecarConfiguration {
  networking?: { address?: string; corefileTemplate?: string };
  metrics?: { aggregate?: { name: string; address: string; port: number; path: string }[] };
  [k: string]: unknown;
}

export interface BootstrapResult {
  /** The Envoy bootstrap (YAML, or JSON which is YAML too), decoded from base64. */
  bootstrap: Buffer;
  kumaSidecarConfiguration: KumaSidecarConfiguration;
}

export interface BootstrapClientOptions {
  /** https://HOST:5678 (a trailing slash or path is dropped). */
  cpAddress: string;
  /** PEM of the CA that signed the CP's DP server certificate; without it the system CAs are used. */
  caCert?: string;
  skipVerify?: boolean;
  backoffMs?: number;
  maxDurationMs?: number;
  requestTimeoutMs?: number;
  /** Aborting stops the retries (a signal during the exchange). */
  signal?: AbortSignal;
  log?: { warn(o: object, msg: string): void; info(o: object, msg: string): void };
}

const NOT_FOUND_MESSAGE =
  'Dataplane entity not found. If you are running on Universal please create a Dataplane entity on kuma-cp before starting kuma-dp or pass it to kuma-dp run --dataplane-file=/file. ' +
  'If you are running on Kubernetes, please check the kuma-cp logs to determine why the Dataplane entity could not be created by the automatic sidecar injection.';
const NO_ENDPOINT_MESSAGE =
  'There is no /bootstrap endpoint for provided CP address. Double check if the address passed to the CP has a DP Server port (5678 by default), not HTTP API (5681 by default)';
const TLS_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** A failure worth another attempt; anything else ends the exchange. */
class Retryable extends Error {}

/** Normalizes --cp-address to its origin; only https is accepted (the DP server speaks TLS only). */
export function bootstrapUrl(cpAddress: string): string {
  let u: URL;
  try {
    u = new URL(cpAddress);
  } catch {
    throw new ConfigError(`invalid --cp-address "${cpAddress}": expected https://HOST:5678`);
  }
  if (u.protocol !== 'https:') throw new ConfigError(`invalid --cp-address "${cpAddress}": it must start with https:// (the control plane's DP server, port 5678 by default)`);
  return `${u.origin}/bootstrap`;
}

/** Turns a 200 body into the result; throws BadRequestError on a body that is not the contract. */
export function parseBootstrapResponse(body: string, contentType: string): BootstrapResult {
  if (!contentType.includes('json')) {
    // A CP that ignored Accept answers the raw YAML (text/x-yaml), as Kuma's does without the header.
    if (body.trim() === '') throw new BadRequestError('the control plane answered /bootstrap with an empty body');
    return { bootstrap: Buffer.from(body), kumaSidecarConfiguration: {} };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new BadRequestError(`the control plane answered /bootstrap with invalid JSON: ${(e as Error).message}`);
  }
  const o = parsed as { bootstrap?: unknown; kumaSidecarConfiguration?: unknown };
  if (typeof o?.bootstrap !== 'string' || o.bootstrap === '') {
    throw new BadRequestError('the control plane answered /bootstrap without "bootstrap" (the base64 of the Envoy bootstrap)');
  }
  const bootstrap = Buffer.from(o.bootstrap, 'base64');
  if (bootstrap.length === 0) throw new BadRequestError('the control plane answered /bootstrap with an empty "bootstrap"');
  const ksc = o.kumaSidecarConfiguration;
  return { bootstrap, kumaSidecarConfiguration: ksc && typeof ksc === 'object' && !Array.isArray(ksc) ? (ksc as KumaSidecarConfiguration) : {} };
}

function errorCode(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR')) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : '';
}

async function attempt(url: string, body: string, dispatcher: Dispatcher, opts: BootstrapClientOptions): Promise<BootstrapResult> {
  const { request } = await import('undici');
  const timeout = AbortSignal.timeout(opts.requestTimeoutMs ?? BOOTSTRAP_REQUEST_TIMEOUT_MS);
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: 'POST',
      dispatcher,
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body,
      signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
    });
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    const code = errorCode(e);
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      throw new ConfigError(
        `the control plane's certificate is not valid for the host of ${url} (${(e as Error).message}); use a --cp-address whose host is among the certificate's names, or --skip-verify`,
      );
    }
    if (TLS_ERRORS.has(code)) {
      throw new ConfigError(
        `could not verify the control plane's certificate at ${url} (${code}: ${(e as Error).message}); pass the CA that signed it with --ca-cert-file, or --skip-verify to not verify it`,
      );
    }
    throw new Retryable(`${code ? `${code}: ` : ''}${(e as Error).message}`);
  }
  const text = await res.body.text();
  const status = res.statusCode;
  if (status === 200) return parseBootstrapResponse(text, String(res.headers['content-type'] ?? ''));
  if (status === 404) {
    if (text.trim() === '') throw new Retryable(NOT_FOUND_MESSAGE);
    throw new NotFoundError(NO_ENDPOINT_MESSAGE);
  }
  if (status === 422) throw new BadRequestError(text.trim() || 'the control plane refused the bootstrap request (422)');
  if (status >= 400 && status < 500) throw new BadRequestError(`Invalid request: ${text.trim()}`);
  throw new Retryable(`the control plane answered ${status}: ${text.trim().slice(0, 500)}`);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res, rej) => {
    if (signal?.aborted) return rej(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      res();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      rej(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** POSTs the bootstrap request until it gets an answer, a definite refusal, or the retry budget runs out. */
export async function fetchBootstrap(req: BootstrapRequest, opts: BootstrapClientOptions): Promise<BootstrapResult> {
  const url = bootstrapUrl(opts.cpAddress);
  const { Agent } = await import('undici');
  const dispatcher = new Agent({ connect: { ca: opts.caCert || undefined, rejectUnauthorized: !opts.skipVerify } });
  const body = JSON.stringify(req);
  const backoffMs = opts.backoffMs ?? DEFAULT_RETRY_BACKOFF_MS;
  const maxDurationMs = opts.maxDurationMs ?? DEFAULT_RETRY_MAX_DURATION_MS;
  const started = Date.now();
  try {
    for (let n = 1; ; n++) {
      try {
        const r = await attempt(url, body, dispatcher, opts);
        opts.log?.info({ url, attempts: n }, 'received the Envoy bootstrap from the control plane');
        return r;
      } catch (e) {
        if (!(e instanceof Retryable)) throw e;
        const delay = Math.min(backoffMs, FIRST_RETRY_MS * 2 ** (n - 1));
        const elapsed = Date.now() - started;
        if (elapsed + delay > maxDurationMs) {
          throw new ConfigError(`could not get the Envoy bootstrap from ${url} after ${n} attempts in ${Math.round(elapsed / 1000)}s: ${e.message}`);
        }
        opts.log?.warn({ url, attempt: n, retryInMs: delay }, `bootstrap request failed: ${e.message}; retrying in ${delay}ms`);
        await sleep(delay, opts.signal);
      }
    }
  } catch (e) {
    if (opts.signal?.aborted && !isKumaError(e)) throw new ConfigError(`stopped while waiting for the Envoy bootstrap from ${url}`);
    throw e;
  } finally {
    await dispatcher.close();
  }
}
