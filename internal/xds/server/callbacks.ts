/**
 * Stream hooks of the ADS server, as go-control-plane's `Callbacks` (pkg/server/v3/server.go):
 * a small interface whose methods are all optional, so a hook implements only what it needs.
 * Token auth, NACK backoff and insight tracking are each one hook, combined with `chainCallbacks`
 * (Kuma's pkg/util/xds/v3/callbacks_chain.go).
 */
import type { Metadata } from '@grpc/grpc-js';
import type { Node } from '../../../proto/gen/envoy/config/core/v3/base';

export type StreamKind = 'sotw' | 'delta';

export interface StreamContext {
  /** Unique per server, starting at 1. */
  readonly streamId: number;
  /** StreamAggregatedResources (SotW) or DeltaAggregatedResources. */
  readonly kind: StreamKind;
  /** The gRPC request metadata (e.g. the dataplane token). */
  readonly metadata: Metadata;
  /** The client address as grpc-js reports it. */
  readonly peer: string;
}

/**
 * What a request is, for one type:
 * - `request`: not an answer to a response of this stream (first request of the type, a
 *   subscription change in Delta).
 * - `ack`: the client applied the response whose nonce it echoes.
 * - `nack`: the client rejected that response (`error_detail` set).
 */
export type RequestKind = 'request' | 'ack' | 'nack';

export interface RequestInfo {
  readonly kind: RequestKind;
  /**
   * For `ack`/`nack`, the version the client accepted or rejected (the version the stream sent
   * with that nonce). For `request`, the client's `version_info` (SotW) or '' (Delta).
   */
  readonly version: string;
  /** `response_nonce` as the client sent it. */
  readonly nonce: string;
  /** `error_detail.message` of a NACK. */
  readonly errorDetail?: string;
  /** SotW `resource_names`, or Delta `resource_names_subscribe`. */
  readonly resourceNames: readonly string[];
}

export interface StreamCallbacks {
  /**
   * Called once when a stream opens, before any request is read. Throwing (or rejecting) refuses
   * the stream: it is closed with the error's gRPC status, UNAUTHENTICATED by default
   * (PERMISSION_DENIED for KUMA_ACCESS_DENIED, or a numeric grpc `code` on the error), and the
   * error's message. Requests wait until it settles.
   */
  onStreamOpen?(ctx: StreamContext): void | Promise<void>;
  /**
   * Called for each request that is not stale, after the node is known and before the server acts
   * on it. Returning a promise delays the stream's processing of this and later requests (NACK
   * backoff). Throwing closes the stream (INTERNAL unless the error says otherwise).
   */
  onStreamRequest?(streamId: number, node: Node, typeUrl: string, info: RequestInfo): void | Promise<void>;
  /**
   * Called right after a response is written. `removed` is Delta's `removed_resources` (empty for
   * SotW). Errors are logged and otherwise ignored.
   */
  onStreamResponse?(streamId: number, typeUrl: string, version: string, names: readonly string[], removed: readonly string[]): void;
  /**
   * Called once when the stream is gone for whatever reason, including a refused open. `node` is
   * undefined if no request was processed. Errors are logged and otherwise ignored.
   */
  onStreamClose?(streamId: number, node: Node | undefined): void;
}

/**
 * Runs hooks in order. `onStreamOpen` and `onStreamRequest` stop at the first failure and wait for
 * each promise before calling the next hook; `onStreamResponse` and `onStreamClose` call every hook
 * and then rethrow the first error.
 */
export function chainCallbacks(...chain: StreamCallbacks[]): StreamCallbacks {
  return {
    onStreamOpen: (ctx) => inSequence(chain.map((cb) => cb.onStreamOpen && (() => cb.onStreamOpen!(ctx)))),
    onStreamRequest: (streamId, node, typeUrl, info) =>
      inSequence(chain.map((cb) => cb.onStreamRequest && (() => cb.onStreamRequest!(streamId, node, typeUrl, info)))),
    onStreamResponse: (streamId, typeUrl, version, names, removed) =>
      callAll(chain.map((cb) => cb.onStreamResponse && (() => cb.onStreamResponse!(streamId, typeUrl, version, names, removed)))),
    onStreamClose: (streamId, node) => callAll(chain.map((cb) => cb.onStreamClose && (() => cb.onStreamClose!(streamId, node)))),
  };
}

type Step = (() => void | Promise<void>) | undefined;

/** Calls the steps in order; stays synchronous until a step returns a promise. */
function inSequence(steps: readonly Step[], from = 0): void | Promise<void> {
  for (let i = from; i < steps.length; i++) {
    const result = steps[i]?.();
    if (isPromise(result)) return result.then(() => inSequence(steps, i + 1));
  }
}

function callAll(steps: readonly (undefined | (() => void))[]): void {
  let first: unknown;
  let failed = false;
  for (const step of steps) {
    try {
      step?.();
    } catch (e) {
      if (!failed) [first, failed] = [e, true];
    }
  }
  if (failed) throw first;
}

export function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | undefined)?.then === 'function';
}
