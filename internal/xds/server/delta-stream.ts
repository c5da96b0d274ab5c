/**
 * One DeltaAggregatedResources (incremental) stream: per type, the subscription, what the client
 * has (`known`: name -> version) and at most one open cache watch.
 *
 * `known` moves when a response is sent, not when it is ACKed, as in go-control-plane: after a
 * NACK nothing differs from `known`, so the rejected resources are not sent again until they
 * change. Every non-stale request (ACK, NACK or subscription change) re-opens the type's watch.
 */
import type { Node } from '../../../proto/gen/envoy/config/core/v3/base';
import type {
  DeltaDiscoveryRequest,
  DeltaDiscoveryResponse,
  Resource,
} from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import type { CancelWatch, DeltaSubscription, DeltaWatchResponse } from '../cache/cache';
import { WILDCARD } from '../cache/resource-types';
import { isWildcardRequest } from '../cache/responses';
import type { SnapshotResource } from '../cache/snapshot';
import { AdsStream } from './ads-stream';
import type { RequestKind } from './callbacks';

interface DeltaTypeState extends DeltaSubscription {
  wildcard: boolean;
  readonly subscribed: Set<string>;
  /** Replaced, never mutated: after a wildcard response it is the snapshot's own resource map. */
  known: ReadonlyMap<string, { readonly version: string }>;
  first: boolean;
  /** Nonce and system version of the last response; '' until one is sent. */
  nonce: string;
  version: string;
  /** The open watch; undefined while a response is waiting for its ACK/NACK. */
  cancel: CancelWatch | undefined;
}

/** Delta `Resource` wrappers, built once per snapshot resource and shared by every stream. */
const deltaResources = new WeakMap<SnapshotResource, Resource>();

function toDeltaResource(r: SnapshotResource): Resource {
  let wrapped = deltaResources.get(r);
  if (!wrapped) {
    wrapped = { name: r.name, version: r.version, aliases: [], resource: r.resource };
    deltaResources.set(r, wrapped);
  }
  return wrapped;
}

export class DeltaStream extends AdsStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
  readonly kind = 'delta' as const;
  readonly #types = new Map<string, DeltaTypeState>();

  protected handleRequest(request: DeltaDiscoveryRequest): void | Promise<void> {
    const node = this.admit(request);
    if (!node) return;
    const typeUrl = request.typeUrl;
    let state = this.#types.get(typeUrl);
    if (!state) {
      state = {
        // xDS protocol: a first LDS/CDS request with no names subscribes to the legacy wildcard
        // ("*" in the names is applied below).
        wildcard: request.resourceNamesSubscribe.length === 0 && isWildcardRequest(typeUrl, []),
        subscribed: new Set(),
        known: new Map(Object.entries(request.initialResourceVersions).map(([name, version]) => [name, { version }])),
        first: true,
        nonce: '',
        version: '',
        cancel: undefined,
      };
      this.#types.set(typeUrl, state);
    }
    const hadWatch = state.cancel !== undefined;
    state.cancel?.();
    state.cancel = undefined;
    applySubscriptionChanges(state, request);

    // xDS protocol, "Resource updates": no response for a request with a stale nonce (one older
    // than the last response of the type). https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#resource-updates
    // Its subscription changes are kept: the answer to the newer response re-opens the watch with them.
    if (request.responseNonce !== '' && state.nonce !== '' && request.responseNonce !== state.nonce) {
      if (hadWatch) this.#watch(node, typeUrl, state);
      return;
    }

    const kind: RequestKind =
      request.responseNonce === '' || state.nonce === '' ? 'request' : request.errorDetail ? 'nack' : 'ack';
    const st = state;
    return this.report(
      typeUrl,
      {
        kind,
        version: kind === 'request' ? '' : st.version,
        nonce: request.responseNonce,
        errorDetail: request.errorDetail?.message,
        resourceNames: request.resourceNamesSubscribe,
      },
      () => this.#watch(node, typeUrl, st),
    );
  }

  protected cancelWatches(): void {
    for (const state of this.#types.values()) {
      state.cancel?.();
      state.cancel = undefined;
    }
  }

  #watch(node: Node, typeUrl: string, state: DeltaTypeState): void {
    state.cancel?.();
    state.cancel = undefined;
    let answered = false;
    const cancel = this.deps.cache.createDeltaWatch({ nodeId: node.id, typeUrl }, state, (response) => {
      answered = true;
      state.cancel = undefined;
      this.#send(state, response);
    });
    if (!answered) state.cancel = cancel;
  }

  #send(state: DeltaTypeState, response: DeltaWatchResponse): void {
    if (this.state !== 'open') return;
    const nonce = this.nextNonce();
    state.nonce = nonce;
    state.version = response.systemVersion;
    state.known = response.nextKnown;
    state.first = false;
    this.write(
      {
        systemVersionInfo: response.systemVersion,
        resources: response.resources.map(toDeltaResource),
        typeUrl: response.typeUrl,
        removedResources: [...response.removed],
        removedResourceNames: [],
        nonce,
        controlPlane: undefined,
      },
      response.typeUrl,
      response.systemVersion,
      () => response.resources.map((r) => r.name),
      response.removed,
    );
  }
}

/**
 * resource_names_subscribe / _unsubscribe, with "*" turning the wildcard on and off
 * (https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#how-the-client-specifies-what-resources-to-return).
 * An unsubscribed name is forgotten from `known`: the client dropped it, and must not be told it
 * was removed.
 */
function applySubscriptionChanges(state: DeltaTypeState, request: DeltaDiscoveryRequest): void {
  let forgotten: string[] | undefined;
  for (const name of request.resourceNamesSubscribe) {
    if (name === WILDCARD) state.wildcard = true;
    else {
      state.subscribed.add(name);
      // A (re-)subscription asks for the resource now: Envoy re-subscribes the endpoints of a cluster
      // it is warming and waits for them, even when their version did not change (as go-control-plane,
      // forget it so it is sent again).
      if (state.known.has(name)) (forgotten ??= []).push(name);
    }
  }
  for (const name of request.resourceNamesUnsubscribe) {
    if (name === WILDCARD) {
      state.wildcard = false;
      continue;
    }
    state.subscribed.delete(name);
    if (state.known.has(name)) (forgotten ??= []).push(name);
  }
  if (forgotten) {
    const known = new Map(state.known);
    for (const name of forgotten) known.delete(name);
    state.known = known;
  }
}
