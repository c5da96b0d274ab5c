/**
 * Wires the DP server of a zone CP: ADS with the dataplane hooks (token
 * auth, lifecycle, insights) over the snapshot cache the reconciler fills,
 * and `POST /bootstrap`. On a global CP the same port only refuses proxies,
 * with a reason, since proxies must connect to their zone.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { AggregatedDiscoveryServiceService } from '../../proto/gen/envoy/service/discovery/v3/ads';
import { IdentityProvider } from '../ca/identity-provider';
import { isFederatedZone, type CpConfig } from '../config/cp-config';
import type { ResourceManager } from '../core/resource-manager';
import type { Registry } from '../resources/registry';
import type { ResourceStore } from '../store/resource-store';
import { durationMs } from '../resources/validation';
import { SnapshotCache } from '../xds/cache/snapshot-cache';
import { addAdsService } from '../xds/server/ads-server';
import { chainCallbacks } from '../xds/server/callbacks';
import { dataplaneAuth } from '../xds/server/callbacks/dataplane-auth';
import { DataplaneInsightTracker } from '../xds/server/callbacks/dataplane-insight';
import { dataplaneLifecycle } from '../xds/server/callbacks/dataplane-lifecycle';
import { ProxyStreams } from '../xds/server/callbacks/proxy-streams';
import { XdsReconciler } from '../xds/sync/reconciler';
import { ConfigAckLedger } from '../xds/sync/config-acks';
import { proxyPropagation, type PropagationQuery, type ProxyPropagation } from '../xds/sync/proxy-propagation';
import type { XdsResources } from '../xds/context/types';
import { resourcesOfSnapshot } from '../xds/cache/snapshot-resources';
import { bootstrapHandler, GLOBAL_REFUSES } from './bootstrap-handler';
import { DP_GRPC_OPTIONS, startDpServer } from './dp-server';
import type { CpMetrics } from '../metrics/cp-metrics';
import { XdsDeliveryTracker } from '../metrics/xds-stats-callbacks';

export interface DpServerHandle {
  port: number;
  reconciler?: XdsReconciler;
  /** The config a connected proxy was last given (decoded from its snapshot), for inspection. */
  generated(nodeId: string): XdsResources | undefined;
  /**
   * Entries kept per proxy or stream, by owner. Every one of them returns to its idle size when
   * the proxies disconnect (test/e2e/dp-state-freed.test.ts).
   */
  stateSizes(): Record<string, number>;
  /** Whether the proxies a resource affects run an ACKed config that holds it (zone CPs only). */
  proxyPropagation?(q: PropagationQuery): ProxyPropagation;
  stop(): Promise<void>;
}

export async function startDataplaneServer(deps: {
  cfg: CpConfig;
  store: ResourceStore;
  registry: Registry;
  manager: ResourceManager;
  instanceId: string;
  tls: { certPem: string; keyPem: string };
  log: Logger;
  metrics?: CpMetrics;
}): Promise<DpServerHandle> {
  const { cfg, store, registry, manager, log } = deps;
  const grpcServer = new grpc.Server(DP_GRPC_OPTIONS);
  let generated: DpServerHandle['generated'] = () => undefined;
  let reconciler: XdsReconciler | undefined;
  let propagation: ((q: PropagationQuery) => ProxyPropagation) | undefined;
  let sizes: () => Record<string, number> = () => ({});
  let port = 0;
  if (cfg.mode === 'global') {
    const refuse = (call: grpc.ServerDuplexStream<unknown, unknown>) => call.emit('error', { code: grpc.status.PERMISSION_DENIED, details: GLOBAL_REFUSES });
    grpcServer.addService(AggregatedDiscoveryServiceService, { streamAggregatedResources: refuse, deltaAggregatedResources: refuse });
  } else {
    // What each proxy ACKed, per xDS type (the propagation view); the cache says when a Delta
    // stream needs no response for a new version.
    const acks = new ConfigAckLedger();
    const cache = new SnapshotCache({ onDeltaUpToDate: (nodeId, typeUrl, version) => acks.upToDate(nodeId, typeUrl, version) });
    const m = deps.metrics;
    const delivery = m && new XdsDeliveryTracker(m.xds);
    const identities = new IdentityProvider({ store, defaultValidityMs: durationMs(cfg.ca.dpCertValidity), renewalFraction: cfg.ca.dpCertRenewalFraction, onIssued: m && ((mesh) => m.certGenerated(mesh)) });
    const streams = new ProxyStreams();
    const insights = new DataplaneInsightTracker(store, streams, deps.instanceId);
    reconciler = new XdsReconciler({
      store,
      registry,
      cache,
      identities,
      zone: cfg.multizone.zone.name,
      debounceMs: cfg.xdsServer.debounceMs,
      log,
      ...(delivery ? { onGenerated: (nodeId: string) => delivery.configReady(nodeId) } : {}),
      metrics: m && { generated: (ms) => m.xdsGeneration.observe(ms), failed: () => m.xdsGenerationErrors.inc() },
      onBuilt: (nodeId, seq, versions) => acks.built(nodeId, seq, versions),
      onForget: (nodeId, mesh, name) => {
        acks.forget(nodeId);
        insights.forgetIdentity(mesh, name);
      },
      onIdentity: (mesh, name, id) => {
        const backend = String((store.get({ type: 'Mesh', mesh: '', name: mesh })?.spec.mtls as { enabledBackend?: string } | undefined)?.enabledBackend ?? '');
        insights.identityIssued(mesh, name, { expiresAt: id.expiresAt, issuedAt: id.issuedAt, backend });
      },
    });
    const ads = addAdsService(grpcServer, {
      cache,
      callbacks: chainCallbacks(
        // First, so every opened stream is counted before a later hook may refuse it.
        ...(delivery ? [delivery.callbacks()] : []),
        dataplaneAuth({ store, registry, streams, authType: cfg.dpServer.authn.dpProxy.type, zoneProxyAuthType: cfg.dpServer.authn.zoneProxy.type, zone: cfg.multizone.zone.name, federated: isFederatedZone(cfg) }),
        dataplaneLifecycle({ store, registry, manager, reconciler, streams, deregistrationDelayMs: cfg.xdsServer.dataplaneDeregistrationDelayMs, log }),
        insights.callbacks(),
        acks.callbacks(),
      ),
    });
    const r = reconciler;
    generated = (nodeId) => {
      const snapshot = cache.getSnapshot(nodeId);
      return snapshot && resourcesOfSnapshot(snapshot);
    };
    propagation = (q) => proxyPropagation({ store, registry, reconciler: r, acks, zone: cfg.multizone.zone.name }, q);
    sizes = () => {
      const flat: Record<string, number> = { adsStreams: ads.activeStreams() };
      const add = (owner: string, o: Record<string, number>) => {
        for (const [k, v] of Object.entries(o)) flat[`${owner}.${k}`] = v;
      };
      add('reconciler', r.sizes());
      add('identities', identities.sizes());
      add('insights', insights.sizes());
      add('streams', streams.sizes());
      add('cache', cache.sizes());
      add('configAcks', acks.sizes());
      return flat;
    };
  }
  const server = await startDpServer({
    port: cfg.dpServer.port,
    address: '0.0.0.0',
    tls: deps.tls,
    grpcServer,
    log,
    http: bootstrapHandler({
      mode: cfg.mode as 'global' | 'zone',
      store,
      registry,
      manager,
      certPem: deps.tls.certPem,
      dpServerPort: () => cfg.bootstrapServer.params.xdsPort || port,
      xdsHost: cfg.bootstrapServer.params.xdsHost || undefined,
      dpAuthType: cfg.dpServer.authn.dpProxy.type,
      zoneAuthType: cfg.dpServer.authn.zoneProxy.type,
      dnsDomain: cfg.dnsServer.domain,
    }),
  });
  port = server.port;
  return {
    port,
    reconciler,
    generated,
    stateSizes: () => ({ ...sizes(), connections: server.connections() }),
    ...(propagation ? { proxyPropagation: propagation } : {}),
    stop: async () => {
      reconciler?.stop();
      await server.stop();
    },
  };
}
