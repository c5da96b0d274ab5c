/**
 * The consuming side of one KDS delta stream (global->zone on the zone,
 * zone->global on the global). Subscribes to every type, applies each
 * response through `apply` strictly in order, and answers ACK, or NACK with
 * the reasons of the resources it had to skip.
 */
import { DeltaDiscoveryRequest, type DeltaDiscoveryResponse, type Resource as WireResource } from '../../proto/gen/envoy/service/discovery/v3/discovery';
import type { Node } from '../../proto/gen/envoy/config/core/v3/base';
import { FULL_PREFIX } from './delta-sender';

export interface ReceivedBatch {
  full: boolean;
  resources: WireResource[];
  removed: string[];
}

export interface ReceiverDeps {
  /** Types to subscribe to, in the order they must be applied (Mesh first). */
  types: readonly string[];
  node: Node;
  send(req: DeltaDiscoveryRequest): void;
  /** Applies one batch; returns NACK reasons (empty = ACK). A throw is fatal: the stream is torn down. */
  apply(type: string, batch: ReceivedBatch): Promise<string[]>;
  onFatal(err: Error): void;
  /** Called after the first full state of every type has been applied. */
  onInitialSyncDone?(): void;
}

export class DeltaReceiver {
  readonly #d: ReceiverDeps;
  #queue: Promise<void> = Promise.resolve();
  readonly #parts = new Map<string, WireResource[]>();
  readonly #initialDone = new Set<string>();
  /** Types that got a response on this stream. */
  readonly #seen = new Set<string>();
  #dead = false;

  constructor(deps: ReceiverDeps) {
    this.#d = deps;
  }

  /** Subscribes to every type (wildcard). */
  start(): void {
    for (const type of this.#d.types) {
      this.#d.send(DeltaDiscoveryRequest.fromPartial({ typeUrl: type, node: this.#d.node, resourceNamesSubscribe: ['*'], responseNonce: '' }));
    }
  }

  onResponse(resp: DeltaDiscoveryResponse): void {
    this.#queue = this.#queue.then(() => this.#handle(resp)).catch((e: Error) => {
      if (!this.#dead) {
        this.#dead = true;
        this.#d.onFatal(e);
      }
    });
  }

  async #handle(resp: DeltaDiscoveryResponse): Promise<void> {
    if (this.#dead) return;
    const type = resp.typeUrl;
    // Only what this side subscribed to may be applied: a zone must not write a Mesh on the global.
    if (!this.#d.types.includes(type)) {
      this.#d.send(
        DeltaDiscoveryRequest.fromPartial({
          typeUrl: type,
          node: { id: this.#d.node.id },
          responseNonce: resp.nonce,
          errorDetail: { code: 3, message: `resources of type "${type.slice(0, 100)}" are not accepted on this stream; it carries ${this.#d.types.join(', ')}` },
        }),
      );
      return;
    }
    const v = resp.systemVersionInfo;
    let batch: ReceivedBatch | undefined;
    if (v.startsWith(FULL_PREFIX)) {
      const [i, n] = v.slice(FULL_PREFIX.length).split('/').map(Number);
      const acc = i === 1 ? [] : (this.#parts.get(type) ?? []);
      acc.push(...resp.resources);
      if (i === n) {
        this.#parts.delete(type);
        batch = { full: true, resources: acc, removed: [] };
      } else {
        this.#parts.set(type, acc);
      }
    } else {
      // Kuma (IsInitialRequest): the first response of a type on a stream is its whole state.
      batch = { full: !this.#seen.has(type), resources: resp.resources, removed: resp.removedResources };
    }
    this.#seen.add(type);
    const reasons = batch ? await this.#d.apply(type, batch) : [];
    if (this.#dead) return;
    this.#d.send(
      DeltaDiscoveryRequest.fromPartial({
        typeUrl: type,
        node: { id: this.#d.node.id },
        responseNonce: resp.nonce,
        ...(reasons.length ? { errorDetail: { code: 3, message: reasons.join('\n') } } : {}),
      }),
    );
    if (batch?.full && !this.#initialDone.has(type)) {
      this.#initialDone.add(type);
      if (this.#initialDone.size === this.#d.types.length) this.#d.onInitialSyncDone?.();
    }
  }

  stop(): void {
    this.#dead = true;
  }
}
