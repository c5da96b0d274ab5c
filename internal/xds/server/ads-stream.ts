/**
 * What SotW and Delta ADS streams share: the lifecycle, the node, the nonce counter, the order of
 * request processing and how a stream ends. The protocol itself is in sotw-stream.ts and
 * delta-stream.ts.
 *
 * Lifecycle (one door, `transition`):
 *
 *   opening --(onStreamOpen accepted)--> open --(client end, cancel, error, closeWith)--> closed
 *   opening --(onStreamOpen refused, cancel)-----------------------------------------> closed
 */
import * as grpc from '@grpc/grpc-js';
import type { Node } from '../../../proto/gen/envoy/config/core/v3/base';
import type { Status } from '../../../proto/gen/google/rpc/status';
import { isKumaError } from '../../errors';
import { logger } from '../../log/logger';
import type { ConfigWatcher } from '../cache/cache';
import { type RequestInfo, type StreamCallbacks, type StreamKind, isPromise } from './callbacks';

export type StreamState = 'opening' | 'open' | 'closed';

export interface AdsStreamDeps {
  readonly cache: ConfigWatcher;
  readonly callbacks: StreamCallbacks;
}

/** The request fields both protocols share. */
interface AdsRequest {
  node?: Node | undefined;
  typeUrl: string;
  responseNonce: string;
  errorDetail?: Status | undefined;
}

let log: ReturnType<typeof logger> | undefined;
function xdsLog(): ReturnType<typeof logger> {
  return (log ??= logger('xds'));
}

export abstract class AdsStream<Req extends AdsRequest, Res> {
  readonly id: number;
  abstract readonly kind: StreamKind;
  /** Only `transition` writes it. Requests are processed only in `open`; nothing is written after `closed`. */
  #state: StreamState = 'opening';
  /**
   * The node of the first request; later requests may omit it (Envoy's
   * set_node_on_first_message_only). Set once, never replaced.
   */
  #node: Node | undefined;
  /** Per-stream nonce counter, stamped on each response when it is sent (go-control-plane's streamWrapper.send). */
  #nonce = 0;
  #onClosed: (() => void) | undefined;
  protected readonly call: grpc.ServerDuplexStream<Req, Res>;
  protected readonly deps: AdsStreamDeps;

  constructor(id: number, call: grpc.ServerDuplexStream<Req, Res>, deps: AdsStreamDeps) {
    this.id = id;
    this.call = call;
    this.deps = deps;
  }

  get state(): StreamState {
    return this.#state;
  }

  get node(): Node | undefined {
    return this.#node;
  }

  /** Runs onStreamOpen, then reads requests one at a time. `onClosed` runs once when the stream is gone. */
  start(onClosed: () => void): void {
    this.#onClosed = onClosed;
    this.call.on('cancelled', () => this.#transition(['opening', 'open'], 'closed'));
    this.call.on('error', () => this.#transition(['opening', 'open'], 'closed'));
    this.call.on('close', () => this.#transition(['opening', 'open'], 'closed'));
    let opened: void | Promise<void>;
    try {
      opened = this.deps.callbacks.onStreamOpen?.({
        streamId: this.id,
        kind: this.kind,
        metadata: this.call.metadata,
        peer: this.call.getPeer(),
      });
    } catch (e) {
      this.#refuse(e);
      return;
    }
    if (isPromise(opened)) {
      opened.then(
        () => this.#transition(['opening'], 'open'),
        (e: unknown) => this.#refuse(e),
      );
    } else {
      this.#transition(['opening'], 'open');
    }
  }

  /** Ends the stream with a gRPC status (e.g. UNAVAILABLE on shutdown so the client reconnects elsewhere). */
  closeWith(code: grpc.status, details: string): void {
    if (this.#state === 'closed') return;
    // ServerDuplexStreamImpl turns an 'error' event into the call's final status and ends the call.
    this.call.emit('error', { code, details, name: 'AdsStreamClosed', message: details });
    this.#transition(['opening', 'open'], 'closed');
  }

  /** Handles one request; a returned promise pauses reading until it settles. */
  protected abstract handleRequest(request: Req): void | Promise<void>;

  /** Cancels every open watch (entry action of `closed`). */
  protected abstract cancelWatches(): void;

  protected nextNonce(): string {
    this.#nonce += 1;
    return String(this.#nonce);
  }

  /**
   * The stream's node: taken from the first request, kept for later ones that omit it. Closes the
   * stream (INVALID_ARGUMENT) and returns undefined when the first request has no node id or a
   * request has no type URL.
   */
  protected admit(request: Req): Node | undefined {
    if (this.#node === undefined) {
      if (!request.node?.id) {
        this.closeWith(grpc.status.INVALID_ARGUMENT, 'the first request of an ADS stream must carry node with a non-empty id');
        return undefined;
      }
      this.#node = request.node;
    }
    if (request.typeUrl === '') {
      this.closeWith(grpc.status.INVALID_ARGUMENT, 'type_url is required on an ADS stream');
      return undefined;
    }
    return this.#node;
  }

  /** Reports the request to onStreamRequest, then runs `proceed` (after the hook's promise, if any). */
  protected report(typeUrl: string, info: RequestInfo, proceed: () => void): void | Promise<void> {
    if (info.kind === 'nack') {
      xdsLog().warn(
        { stream: this.id, node: this.#node?.id, type: typeUrl, version: info.version, error: info.errorDetail },
        'the proxy rejected the configuration; it is not sent again until it changes',
      );
    }
    // Called as methods: hooks may be class instances.
    const pending = this.deps.callbacks.onStreamRequest?.(this.id, this.#node!, typeUrl, info);
    if (isPromise(pending)) {
      return pending.then(() => {
        if (this.#state === 'open') proceed();
      });
    }
    proceed();
  }

  /** Writes a response unless the stream is closed, then tells onStreamResponse. */
  protected write(response: Res, typeUrl: string, version: string, names: () => readonly string[], removed: readonly string[] = []): void {
    if (this.#state !== 'open') return;
    try {
      this.call.write(response);
    } catch (e) {
      // Runs inside SnapshotCache.setSnapshot for pushes: one broken stream must not stop the others.
      this.#fail(e);
      return;
    }
    const callbacks = this.deps.callbacks;
    if (callbacks.onStreamResponse) {
      this.#safely('onStreamResponse', () => callbacks.onStreamResponse!(this.id, typeUrl, version, names(), removed));
    }
  }

  #receive(request: Req): void {
    if (this.#state !== 'open') return;
    let pending: void | Promise<void>;
    try {
      pending = this.handleRequest(request);
    } catch (e) {
      this.#fail(e);
      return;
    }
    if (isPromise(pending)) {
      // Keep requests in order: nothing more is read until this one is done.
      this.call.pause();
      pending.then(
        () => {
          if (this.#state === 'open') this.call.resume();
        },
        (e: unknown) => this.#fail(e),
      );
    }
  }

  #refuse(e: unknown): void {
    const { code, details } = statusOf(e, grpc.status.UNAUTHENTICATED);
    xdsLog().info({ stream: this.id, peer: this.call.getPeer(), code: grpc.status[code], reason: details }, 'ADS stream refused');
    this.closeWith(code, details);
  }

  #fail(e: unknown): void {
    const { code, details } = statusOf(e, grpc.status.INTERNAL);
    if (code !== grpc.status.INTERNAL && code !== grpc.status.UNKNOWN) {
      // A refused token or a bad request is the client's fault and repeats on every Envoy retry: one line, no stack.
      xdsLog().info({ stream: this.id, node: this.#node?.id, code: grpc.status[code], reason: details }, 'ADS stream refused');
      this.closeWith(code, details);
      return;
    }
    xdsLog().error({ stream: this.id, node: this.#node?.id, code: grpc.status[code], err: e }, 'ADS stream failed; closing it');
    this.closeWith(code, details);
  }

  /** The only writer of #state: refuses moves not listed in `from`, then runs the entry action. */
  #transition(from: readonly StreamState[], to: StreamState): boolean {
    const was = this.#state;
    if (!from.includes(was)) return false;
    this.#state = to;
    xdsLog().debug({ stream: this.id, kind: this.kind, node: this.#node?.id }, `ADS stream ${was} -> ${to}`);
    switch (to) {
      case 'open':
        this.call.on('data', (request: Req) => this.#receive(request));
        // The client half-closed: finish with OK.
        this.call.on('end', () => {
          if (this.#state === 'open') this.call.end();
          this.#transition(['open'], 'closed');
        });
        break;
      case 'closed': {
        this.cancelWatches();
        const callbacks = this.deps.callbacks;
        if (callbacks.onStreamClose) this.#safely('onStreamClose', () => callbacks.onStreamClose!(this.id, this.#node));
        this.#onClosed?.();
        break;
      }
      case 'opening':
        break;
    }
    return true;
  }

  #safely(hook: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      xdsLog().error({ stream: this.id, err: e }, `${hook} callback failed; ignored`);
    }
  }
}

/** The gRPC status for an error: its numeric grpc `code`, a KumaError code, else the fallback. */
export function statusOf(e: unknown, fallback: grpc.status): { code: grpc.status; details: string } {
  const details = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number' && Number.isInteger(code)) return { code, details };
  if (isKumaError(e)) {
    switch (e.code) {
      case 'KUMA_UNAUTHENTICATED':
        return { code: grpc.status.UNAUTHENTICATED, details };
      case 'KUMA_ACCESS_DENIED':
        return { code: grpc.status.PERMISSION_DENIED, details };
      case 'KUMA_NOT_FOUND':
        return { code: grpc.status.NOT_FOUND, details };
      case 'KUMA_VALIDATION':
      case 'KUMA_BAD_REQUEST':
        return { code: grpc.status.INVALID_ARGUMENT, details };
      default:
        break;
    }
  }
  return { code: fallback, details };
}
