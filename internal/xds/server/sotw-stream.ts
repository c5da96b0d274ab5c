/**
 * One StreamAggregatedResources (State of the World) stream: per type, the last response's nonce,
 * version and names, and at most one open cache watch.
 *
 * Per request of a type:
 * 1. A stale nonce is ignored (below).
 * 2. ACK or NACK is classified against the last response of the type and reported.
 * 3. The type's watch is replaced by one for the request. After a NACK the watch starts from the
 *    rejected version, so it is not sent again: the next push comes with the next change (or
 *    when the client asks for names it was not sent).
 */
import type { Node } from '../../../proto/gen/envoy/config/core/v3/base';
import type { DiscoveryRequest, DiscoveryResponse } from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import type { CancelWatch, WatchRequest, WatchResponse } from '../cache/cache';
import { isWildcardRequest } from '../cache/responses';
import { AdsStream } from './ads-stream';
import type { RequestKind } from './callbacks';

interface SotwTypeState {
  /** Nonce of the last response of this type; '' until one is sent. */
  nonce: string;
  /** Version of that response. */
  version: string;
  /** Names in that response; undefined when it answered a wildcard request. */
  names: ReadonlySet<string> | undefined;
  /** The client ACKed or NACKed that response; later requests with its nonce change the subscription. */
  answered: boolean;
  /**
   * The version watches start from once the client answered: the ACKed version, or the rejected
   * one after a NACK, so a NACKed version is never sent again unprompted.
   */
  clientVersion: string;
  /** The open watch; undefined while a response is waiting for its ACK/NACK. */
  cancel: CancelWatch | undefined;
}

const NOTHING: ReadonlySet<string> = new Set();

export class SotwStream extends AdsStream<DiscoveryRequest, DiscoveryResponse> {
  readonly kind = 'sotw' as const;
  readonly #types = new Map<string, SotwTypeState>();

  protected handleRequest(request: DiscoveryRequest): void | Promise<void> {
    const node = this.admit(request);
    if (!node) return;
    const typeUrl = request.typeUrl;
    let state = this.#types.get(typeUrl);
    if (!state) this.#types.set(typeUrl, (state = { nonce: '', version: '', names: undefined, answered: false, clientVersion: '', cancel: undefined }));

    // xDS protocol, "Resource updates": "the management server should not send a DiscoveryResponse
    // for any DiscoveryRequest that has a stale nonce. A nonce becomes stale following a newer nonce
    // being presented to Envoy in a DiscoveryResponse."
    // https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#resource-updates
    // The request answers a response the client has since been sent a newer one of; the answer to
    // that newer one will come and is the one that counts.
    if (state.nonce !== '' && request.responseNonce !== state.nonce) return;

    // The first answer to a response is its ACK or NACK; later requests carrying the same nonce
    // (Envoy changing resource_names) are plain requests.
    const kind: RequestKind = state.nonce === '' || state.answered ? 'request' : request.errorDetail ? 'nack' : 'ack';
    if (kind !== 'request') {
      state.answered = true;
      state.clientVersion = kind === 'ack' ? request.versionInfo : state.version;
    }
    const st = state;
    return this.report(
      typeUrl,
      {
        kind,
        version: kind === 'request' ? request.versionInfo : st.version,
        nonce: request.responseNonce,
        errorDetail: request.errorDetail?.message,
        resourceNames: request.resourceNames,
      },
      () => this.#watch(node, request, st),
    );
  }

  protected cancelWatches(): void {
    for (const state of this.#types.values()) {
      state.cancel?.();
      state.cancel = undefined;
    }
  }

  #watch(node: Node, request: DiscoveryRequest, state: SotwTypeState): void {
    state.cancel?.();
    state.cancel = undefined;
    const watch: WatchRequest = {
      nodeId: node.id,
      typeUrl: request.typeUrl,
      versionInfo: state.answered ? state.clientVersion : request.versionInfo,
      resourceNames: request.resourceNames,
      delivered: state.nonce === '' ? NOTHING : (state.names ?? 'all'),
    };
    const wildcard = isWildcardRequest(request.typeUrl, request.resourceNames);
    let answered = false;
    const cancel = this.deps.cache.createWatch(watch, (response) => {
      answered = true;
      state.cancel = undefined;
      this.#send(state, response, wildcard);
    });
    if (!answered) state.cancel = cancel;
  }

  #send(state: SotwTypeState, response: WatchResponse, wildcard: boolean): void {
    if (this.state !== 'open') return;
    const nonce = this.nextNonce();
    state.nonce = nonce;
    state.version = response.version;
    state.names = wildcard ? undefined : new Set(response.resources.map((r) => r.name));
    state.answered = false;
    this.write(
      {
        versionInfo: response.version,
        resources: response.resources.map((r) => r.resource),
        canary: false,
        typeUrl: response.typeUrl,
        nonce,
        controlPlane: undefined,
      },
      response.typeUrl,
      response.version,
      () => response.resources.map((r) => r.name),
    );
  }
}
