/**
 * The Envoy Aggregated Discovery Service (both StreamAggregatedResources and
 * DeltaAggregatedResources) mounted on a grpc-js server the caller owns, so the caller decides
 * ports, TLS and shutdown. It reads resources only through the cache contract
 * (internal/xds/cache/cache.ts), never a MeshContext.
 */
import * as grpc from '@grpc/grpc-js';
import {
  type AggregatedDiscoveryServiceServer,
  AggregatedDiscoveryServiceService,
} from '../../../proto/gen/envoy/service/discovery/v3/ads';
import type { ConfigWatcher } from '../cache/cache';
import type { StreamCallbacks } from './callbacks';
import { DeltaStream } from './delta-stream';
import { SotwStream } from './sotw-stream';

export interface AdsServerDeps {
  /** Where streams get their responses (a SnapshotCache). */
  readonly cache: ConfigWatcher;
  /** Stream hooks (auth, NACK backoff, insights), combined with chainCallbacks. */
  readonly callbacks?: StreamCallbacks;
}

export interface AdsServerHandle {
  /** Streams open right now (both protocols). */
  activeStreams(): number;
  /**
   * Ends every open stream with the status (UNAVAILABLE by default) so proxies reconnect, e.g.
   * before `server.tryShutdown()`, which otherwise waits for streams that never end by themselves.
   */
  closeAll(code?: grpc.status, details?: string): void;
}

export function addAdsService(server: grpc.Server, deps: AdsServerDeps): AdsServerHandle {
  const streams = new Set<SotwStream | DeltaStream>();
  const streamDeps = { cache: deps.cache, callbacks: deps.callbacks ?? {} };
  let lastStreamId = 0;

  function track(stream: SotwStream | DeltaStream): void {
    streams.add(stream);
    stream.start(() => streams.delete(stream));
  }

  const implementation: AggregatedDiscoveryServiceServer = {
    streamAggregatedResources: (call) => track(new SotwStream(++lastStreamId, call, streamDeps)),
    deltaAggregatedResources: (call) => track(new DeltaStream(++lastStreamId, call, streamDeps)),
  };
  server.addService(AggregatedDiscoveryServiceService, implementation);

  return {
    activeStreams: () => streams.size,
    closeAll: (code = grpc.status.UNAVAILABLE, details = 'the control plane is shutting down') => {
      for (const stream of [...streams]) stream.closeWith(code, details);
    },
  };
}
