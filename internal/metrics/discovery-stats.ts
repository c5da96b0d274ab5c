/**
 * Kuma's discovery-server stats (pkg/util/xds/stats_callbacks.go) for one
 * dsType: `xds` for ADS, `kds_delta` for KDS. Counters are bound to their
 * label values once per distinct value (a handful of type URLs), so a
 * request or response costs a Map lookup and an add, never a label object.
 */
import { Counter, Gauge, Summary, type Registry } from 'prom-client';

/** Kuma's DefaultObjectives and a 10-minute window (prometheus' default MaxAge, 5 age buckets). */
export const SUMMARY_WINDOW = { percentiles: [0.5, 0.9, 0.99], maxAgeSeconds: 600, ageBuckets: 5 } as const;

export type Confirmation = 'ACK' | 'NACK';

interface Inc {
  inc(n?: number): void;
}

export class DiscoveryStats {
  readonly #requests: Counter<'type_url' | 'confirmation'>;
  readonly #responses: Counter<'type_url'>;
  readonly #streams: Gauge;
  readonly #delivery: Summary;
  readonly #ack = new Map<string, Inc>();
  readonly #nack = new Map<string, Inc>();
  readonly #sent = new Map<string, Inc>();

  constructor(registry: Registry, dsType: 'xds' | 'kds_delta') {
    this.#requests = new Counter({ name: `${dsType}_requests_received`, help: 'Number of confirmations requests from a client', labelNames: ['type_url', 'confirmation'], registers: [registry] });
    this.#responses = new Counter({ name: `${dsType}_responses_sent`, help: 'Number of responses sent by the server to a client', labelNames: ['type_url'], registers: [registry] });
    this.#streams = new Gauge({ name: `${dsType}_streams_active`, help: 'Number of active connections between a server and a client', registers: [registry] });
    this.#delivery = new Summary({ name: `${dsType}_delivery`, help: 'Summary of config delivery including a response (ACK/NACK) from the client', registers: [registry], ...SUMMARY_WINDOW, percentiles: [...SUMMARY_WINDOW.percentiles] });
  }

  streamOpened(): void {
    this.#streams.inc();
  }

  streamClosed(): void {
    this.#streams.dec();
  }

  /** An ACK or NACK of a response of `typeUrl` (first requests are neither). */
  confirmed(typeUrl: string, confirmation: Confirmation): void {
    const cache = confirmation === 'ACK' ? this.#ack : this.#nack;
    let c = cache.get(typeUrl);
    if (!c) cache.set(typeUrl, (c = this.#requests.labels(typeUrl, confirmation)));
    c.inc();
  }

  responded(typeUrl: string): void {
    let c = this.#sent.get(typeUrl);
    if (!c) this.#sent.set(typeUrl, (c = this.#responses.labels(typeUrl)));
    c.inc();
  }

  /** Milliseconds from a config being ready for delivery to the client's ACK/NACK of it. */
  delivered(ms: number): void {
    this.#delivery.observe(ms);
  }
}
