/**
 * gRPC handlers of the global's envoy-admin streams (GlobalKDSService
 * StreamXDSConfigs, StreamStats, StreamClusters). Each authenticates the
 * zone like the sync streams, refuses an instance that does not hold the
 * zone's name, and attaches the stream to the forwarder until it ends.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  AdminOutputFormat,
  type ClustersRequest,
  type ClustersResponse,
  type StatsRequest,
  type StatsResponse,
  type XDSConfigRequest,
  type XDSConfigResponse,
} from '../../../proto/gen/kuma/mesh/v1alpha1/kds';
import type { AdminStreamKind, EnvoyAdminForwarder, ForwardedRequest } from './envoy-admin-forwarder';
import type { ZoneAuthenticator } from './kds-server';
import type { ZoneConnections } from './zone-connections';

type Call = grpc.ServerDuplexStream<unknown, unknown>;

export interface EnvoyAdminStreamDeps {
  authenticate: ZoneAuthenticator;
  connections: ZoneConnections;
  forwarder?: EnvoyAdminForwarder;
  refuse(call: Call, e: unknown): void;
  log: Logger;
}

type Result = { error: string } | { bytes: Buffer } | undefined;

function resultOf(r: { $case: string; value: string | Buffer } | undefined): Result {
  if (!r) return undefined;
  return r.$case === 'error' ? { error: String(r.value) } : { bytes: Buffer.from(r.value as Buffer) };
}

const format = (json?: boolean) => (json ? AdminOutputFormat.JSON : AdminOutputFormat.TEXT);

const SHAPE: Record<AdminStreamKind, (r: ForwardedRequest & { requestId: string }) => unknown> = {
  configDump: (r): XDSConfigRequest => ({ requestId: r.requestId, resourceType: r.resourceType, resourceName: r.resourceName, resourceMesh: r.resourceMesh, includeEds: !!r.includeEds, generatedConfig: !!r.generatedConfig, ...(r.propagation ? { propagation: r.propagation } : {}) }),
  stats: (r): StatsRequest => ({ requestId: r.requestId, resourceType: r.resourceType, resourceName: r.resourceName, resourceMesh: r.resourceMesh, format: format(r.json), usedOnly: !!r.usedOnly }),
  clusters: (r): ClustersRequest => ({ requestId: r.requestId, resourceType: r.resourceType, resourceName: r.resourceName, resourceMesh: r.resourceMesh, format: format(r.json) }),
};

/** The three handlers, or none without a forwarder (zones then get UNIMPLEMENTED, which they tolerate). */
export function serveEnvoyAdminStreams(deps: EnvoyAdminStreamDeps): Record<string, grpc.handleBidiStreamingCall<never, never>> {
  const { forwarder } = deps;
  if (!forwarder) return {};
  const serve = (kind: AdminStreamKind) => async (call: Call) => {
    let zone: string;
    try {
      ({ zone } = await deps.authenticate(call.metadata));
    } catch (e) {
      return deps.refuse(call, e);
    }
    if (call.cancelled) return;
    const instanceId = String(call.metadata.get('control-plane-id')[0] ?? '');
    const holder = deps.connections.holderOf(zone);
    if (instanceId && holder && holder !== instanceId) {
      // The instance's sync streams are refused (and logged) with the reason and the fix; this one just goes too.
      call.emit('error', { code: grpc.status.ALREADY_EXISTS, details: `zone "${zone}" is held by control plane instance "${holder}"; refusing the envoy-admin stream of instance "${instanceId}"` });
      return;
    }
    const features = new Set(call.metadata.get('features').flatMap((v) => String(v).split(',')).map((f) => f.trim()));
    const detach = forwarder.attach(zone, kind, { features, write: (r) => call.write(SHAPE[kind](r)) });
    deps.log.debug({ zone, stream: kind }, 'zone opened an envoy-admin stream');
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      detach();
    };
    call.on('data', (resp: XDSConfigResponse | StatsResponse | ClustersResponse) => forwarder.onResponse(zone, kind, resp.requestId, resultOf(resp.result as never)));
    call.on('end', () => {
      end();
      call.end();
    });
    call.on('error', end);
    call.on('close', end);
    call.on('cancelled', end);
  };
  return {
    streamXdsConfigs: serve('configDump') as never,
    streamStats: serve('stats') as never,
    streamClusters: serve('clusters') as never,
  };
}
