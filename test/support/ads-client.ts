/**
 * A light ADS client for tests: one Delta stream to a DP server over TLS, as
 * kuma-dp's Envoy opens it (node with Kuma's metadata on the first request,
 * CDS and LDS wildcard subscriptions), ACKing every response. It records the
 * responses per type and how the stream ended.
 */
import * as grpc from '@grpc/grpc-js';
import { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '../../proto/gen/envoy/service/discovery/v3/discovery';

export const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
export const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';

export interface AdsClient {
  /** Responses received so far, per type URL. */
  readonly responses: Map<string, DeltaDiscoveryResponse[]>;
  /** Resolves with the status once the server ends the stream (never, while it serves). */
  readonly ended: Promise<grpc.StatusObject>;
  close(): void;
}

/** `metadata` is the node metadata (kuma-dp's `dataplane.*` keys), strings as Envoy carries them in a Struct. */
export function connectAds(opts: { port: number; caPem: Buffer; nodeId: string; metadata?: Record<string, unknown>; token?: string; types?: string[] }): AdsClient {
  const client = new grpc.Client(`127.0.0.1:${opts.port}`, grpc.credentials.createSsl(opts.caPem));
  const md = new grpc.Metadata();
  if (opts.token) md.set('authorization', `Bearer ${opts.token}`);
  const call = client.makeBidiStreamRequest(METHOD, (m: DeltaDiscoveryRequest) => Buffer.from(DeltaDiscoveryRequest.encode(m).finish()), (b: Buffer) => DeltaDiscoveryResponse.decode(b), md);
  const responses = new Map<string, DeltaDiscoveryResponse[]>();
  const ended = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  call.on('error', () => {});
  call.on('data', (r: DeltaDiscoveryResponse) => {
    let list = responses.get(r.typeUrl);
    if (!list) responses.set(r.typeUrl, (list = []));
    list.push(r);
    call.write(DeltaDiscoveryRequest.fromPartial({ typeUrl: r.typeUrl, responseNonce: r.nonce }));
  });
  const node = { id: opts.nodeId, cluster: opts.nodeId.split('.')[1] ?? '', metadata: (opts.metadata ?? {}) as never };
  (opts.types ?? [CDS, LDS]).forEach((typeUrl, i) => {
    call.write(DeltaDiscoveryRequest.fromPartial({ ...(i === 0 ? { node } : {}), typeUrl, resourceNamesSubscribe: ['*'] }));
  });
  return {
    responses,
    ended,
    close: () => {
      call.cancel();
      client.close();
    },
  };
}
