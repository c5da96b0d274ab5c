/**
 * The global's half of Kuma's envoy-admin streams (GlobalKDSService
 * StreamXDSConfigs / StreamStats / StreamClusters): each zone keeps one
 * stream of each kind open; the global writes a request with a fresh
 * request_id and the zone answers on the same stream. This class is the
 * bookkeeping: which stream serves which zone, and which request waits for
 * which answer, with a timeout. The KDS server attaches streams; the API
 * asks through `request`.
 */
import { randomUUID } from 'node:crypto';

export type AdminStreamKind = 'configDump' | 'stats' | 'clusters';

/** What the API asks a zone: the proxy and the view's options (request_id is added here). */
export interface ForwardedRequest {
  resourceType: string;
  resourceName: string;
  resourceMesh: string;
  includeEds?: boolean;
  generatedConfig?: boolean;
  json?: boolean;
  usedOnly?: boolean;
  /** Ask whether the proxies a resource affects ACKed it (configDump stream, zones with FEATURE_PROPAGATION). */
  propagation?: { type: string; mesh: string; name: string };
}

export interface AdminStream {
  /** Writes one request message (already shaped for the stream's kind). */
  write(req: ForwardedRequest & { requestId: string }): void;
  /** Features the zone advertised on this stream's `features` header. */
  features: ReadonlySet<string>;
}

/** Why a forwarded request failed; `status` is the HTTP status the API answers with. */
export class ForwardError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Advertised on StreamXDSConfigs by zones that answer `generated_config` (the `_config` view). */
export const FEATURE_GENERATED_CONFIG = 'inspect-generated-config';
/** Advertised on StreamXDSConfigs by zones that answer `propagation` queries. */
export const FEATURE_PROPAGATION = 'inspect-propagation';

interface Pending {
  zone: string;
  kind: AdminStreamKind;
  stream: AdminStream;
  resolve(b: Buffer): void;
  reject(e: ForwardError): void;
  timer: NodeJS.Timeout;
}

const STREAM_NAME: Record<AdminStreamKind, string> = { configDump: 'StreamXDSConfigs', stats: 'StreamStats', clusters: 'StreamClusters' };

export class EnvoyAdminForwarder {
  readonly #streams = new Map<string, AdminStream>();
  readonly #pending = new Map<string, Pending>();

  constructor(
    readonly timeoutMs: number,
    /** Whether the zone has a live KDS link at all (to tell "offline" from "old zone without the stream"). */
    private readonly zoneConnected: (zone: string) => boolean = () => false,
  ) {}

  /** A zone opened its stream of `kind`; returns the detach to call when it ends. A newer stream replaces an older one. */
  attach(zone: string, kind: AdminStreamKind, stream: AdminStream): () => void {
    this.#streams.set(`${zone}\0${kind}`, stream);
    return () => {
      if (this.#streams.get(`${zone}\0${kind}`) === stream) this.#streams.delete(`${zone}\0${kind}`);
      for (const [id, p] of this.#pending) {
        if (p.stream !== stream) continue;
        this.#settle(id)?.reject(new ForwardError(503, `zone "${zone}" disconnected before it answered; retry once it is back online (kuma inspect zones)`));
      }
    };
  }

  hasStream(zone: string, kind: AdminStreamKind): boolean {
    return this.#streams.has(`${zone}\0${kind}`);
  }

  /** A response arrived on a zone's stream. Unknown ids (answers after the timeout) are dropped. */
  onResponse(zone: string, kind: AdminStreamKind, requestId: string, result: { error: string } | { bytes: Buffer } | undefined): void {
    const p = this.#pending.get(requestId);
    if (!p || p.zone !== zone || p.kind !== kind) return;
    this.#settle(requestId);
    if (!result) p.reject(new ForwardError(502, `zone "${zone}" answered with an empty result`));
    else if ('error' in result) p.reject(new ForwardError(400, `zone "${zone}": ${result.error}`));
    else p.resolve(result.bytes);
  }

  /** Asks `zone` over its stream of `kind`; rejects with ForwardError (503 offline or no answer in time). */
  request(zone: string, kind: AdminStreamKind, req: ForwardedRequest): Promise<Buffer> {
    const stream = this.#streams.get(`${zone}\0${kind}`);
    if (!stream) {
      if (this.zoneConnected(zone)) {
        return Promise.reject(new ForwardError(503, `zone "${zone}" is connected but has no ${STREAM_NAME[kind]} stream open, so it cannot answer Envoy admin requests; upgrade its control plane or inspect the proxy on the zone control plane`));
      }
      return Promise.reject(new ForwardError(503, `zone "${zone}" is offline (its control plane is not connected to this global); start it or check its KDS link, then retry (kuma inspect zones)`));
    }
    if (req.generatedConfig && !stream.features.has(FEATURE_GENERATED_CONFIG)) {
      return Promise.reject(new ForwardError(400, `zone "${zone}" cannot send the generated config over KDS (its control plane does not advertise ${FEATURE_GENERATED_CONFIG}); inspect the proxy on the zone control plane`));
    }
    if (req.propagation && !stream.features.has(FEATURE_PROPAGATION)) {
      return Promise.reject(new ForwardError(400, `zone "${zone}" cannot report its proxies' config state (its control plane does not advertise ${FEATURE_PROPAGATION})`));
    }
    const requestId = randomUUID();
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#settle(requestId);
        reject(new ForwardError(503, `zone "${zone}" did not answer within ${this.timeoutMs / 1000}s (KUMA_MULTIZONE_GLOBAL_KDS_ENVOY_ADMIN_TIMEOUT_MS)`));
      }, this.timeoutMs);
      this.#pending.set(requestId, { zone, kind, stream, resolve, reject, timer });
      try {
        stream.write({ ...req, requestId });
      } catch (e) {
        this.#settle(requestId);
        reject(new ForwardError(503, `could not send the request to zone "${zone}": ${(e as Error).message}`));
      }
    });
  }

  /** Requests still waiting (for tests and shutdown). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  #settle(id: string): Pending | undefined {
    const p = this.#pending.get(id);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.#pending.delete(id);
    return p;
  }
}
