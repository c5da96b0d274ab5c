/**
 * The zone's half of the envoy-admin streams: the global asks for a config
 * dump, stats or clusters of a proxy this zone serves; the zone reads its
 * Envoy admin (the same code as the zone's own REST inspect routes) and
 * answers on the same stream with the request's id. Failures travel as the
 * response's `error`, so the global can show them.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  AdminOutputFormat,
  type ClustersRequest,
  type GlobalKDSServiceClient,
  type StatsRequest,
  type XDSConfigRequest,
} from '../../../proto/gen/kuma/mesh/v1alpha1/kds';
import type { InspectSource } from '../../apiserver/deps';
import { EnvoyAdminError, readEnvoyAdmin, type AdminRequest } from '../../envoy-admin/admin-client';
import { generatedConfigOf } from '../../envoy-admin/generated-config';
import type { Registry } from '../../resources/registry';
import type { ResourceStore } from '../../store/resource-store';
import { FEATURE_GENERATED_CONFIG, FEATURE_PROPAGATION } from '../global/envoy-admin-forwarder';

export interface AnswererDeps {
  store: ResourceStore;
  registry: Registry;
  zone: string;
  /** The DP server's generated config (set once the DP server runs). */
  inspect?: () => InspectSource | undefined;
  /** Envoy admin read timeout; below the global's forwarding timeout so the global hears why. */
  adminTimeoutMs?: number;
}

const PROXY_TYPES = new Set(['Dataplane', 'ZoneIngress', 'ZoneEgress']);

type Request = { kind: 'configDump'; req: XDSConfigRequest } | { kind: 'stats'; req: StatsRequest } | { kind: 'clusters'; req: ClustersRequest };

/** The bytes of an answer, or the error text the global shows. */
export async function answerAdminRequest(deps: AnswererDeps, r: Request): Promise<{ bytes: Buffer } | { error: string }> {
  if (r.kind === 'configDump' && r.req.propagation) {
    const src = deps.inspect?.();
    if (!src?.proxyPropagation) return { error: `zone "${deps.zone}" runs no xDS server, so it has no proxy config state` };
    return { bytes: Buffer.from(JSON.stringify(src.proxyPropagation(r.req.propagation))) };
  }
  const { resourceType: type, resourceName: name } = r.req;
  const mesh = type === 'Dataplane' ? r.req.resourceMesh : '';
  if (!PROXY_TYPES.has(type)) return { error: `resource type "${type}" has no Envoy admin; use Dataplane, ZoneIngress or ZoneEgress` };
  const proxy = deps.store.get({ type, mesh, name });
  if (!proxy) return { error: `${type} "${name}"${mesh ? ` of mesh "${mesh}"` : ''} not found in zone "${deps.zone}"` };
  if (type !== 'Dataplane' && proxy.spec.zone && proxy.spec.zone !== deps.zone) return { error: `${type} "${name}" belongs to zone "${String(proxy.spec.zone)}", not "${deps.zone}"` };
  try {
    if (r.kind === 'configDump' && r.req.generatedConfig) {
      const json = generatedConfigOf({ store: deps.store, registry: deps.registry, zoneName: deps.zone, inspect: deps.inspect?.() }, proxy);
      return { bytes: Buffer.from(JSON.stringify(json)) };
    }
    const admin: AdminRequest =
      r.kind === 'configDump'
        ? { view: 'config-dump', includeEds: r.req.includeEds }
        : r.kind === 'stats'
          ? { view: 'stats', json: r.req.format === AdminOutputFormat.JSON, usedOnly: r.req.usedOnly }
          : { view: 'clusters', json: r.req.format === AdminOutputFormat.JSON };
    return { bytes: (await readEnvoyAdmin(proxy, admin, deps.adminTimeoutMs)).body };
  } catch (e) {
    if (e instanceof EnvoyAdminError) return { error: e.message };
    return { error: `zone "${deps.zone}" failed to answer: ${(e as Error).message}` };
  }
}

/**
 * Opens the three streams on the zone's KDS channel and answers each request.
 * A global that does not serve them (UNIMPLEMENTED) is logged once and left
 * alone; any other stream error is reported to `onError`, which tears the
 * link down like a sync stream failure would.
 */
export function openEnvoyAdminStreams(client: GlobalKDSServiceClient, md: grpc.Metadata, deps: AnswererDeps, log: Logger, onError: (which: string, e: grpc.ServiceError) => void): { cancel(): void }[] {
  const streamMd = md.clone();
  streamMd.add('features', FEATURE_GENERATED_CONFIG);
  streamMd.add('features', FEATURE_PROPAGATION);
  const open = <Req extends { requestId: string }>(kind: Request['kind'], call: grpc.ClientDuplexStream<unknown, Req>, payload: 'config' | 'stats' | 'clusters') => {
    call.on('data', (req: Req) => {
      void answerAdminRequest(deps, { kind, req } as unknown as Request).then((a) => {
        const result = 'error' in a ? { $case: 'error', value: a.error } : { $case: payload, value: a.bytes };
        try {
          call.write({ requestId: req.requestId, result });
        } catch {
          // the stream ended while Envoy answered; the global times out or saw the disconnect
        }
      });
    });
    call.on('error', (e: grpc.ServiceError) => {
      if (e.code === grpc.status.UNIMPLEMENTED) log.info({ stream: kind }, 'the global does not serve envoy-admin requests; it cannot inspect proxies of this zone');
      else if (e.code !== grpc.status.CANCELLED) onError(`envoy-admin ${kind}`, e);
    });
    call.on('end', () => undefined);
    return call;
  };
  return [
    open('configDump', client.streamXdsConfigs(streamMd) as never, 'config'),
    open('stats', client.streamStats(streamMd) as never, 'stats'),
    open('clusters', client.streamClusters(streamMd) as never, 'clusters'),
  ];
}
