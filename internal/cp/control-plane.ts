/**
 * Wires one control plane from its configuration. The mode decides which
 * components start, here and nowhere else.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { startApiServer } from '../apiserver/server';
import { globalStatusSource, zoneStatusSource } from '../meshservice/status-source';
import { startDiagnosticsServer } from '../apiserver/diagnostics-server';
import { dataplaneInspectSource } from '../apiserver/inspect-endpoints';
import { isFederatedZone, type CpConfig } from '../config/cp-config';
import { ResourceManager } from '../core/resource-manager';
import { clusterId, ensureDefaults } from '../defaults/ensure-defaults';
import { startInsightResyncer } from '../insights/resyncer';
import { logger } from '../log/logger';
import { registry } from '../resources/types/index';
import { startGlobalKdsServer } from '../kds/global/kds-server';
import { zoneAuthenticator } from '../kds/global/zone-auth';
import { startZoneKdsClient } from '../kds/zone/kds-client';
import { ZoneConnections } from '../kds/global/zone-connections';
import { EnvoyAdminForwarder } from '../kds/global/envoy-admin-forwarder';
import { ZoneSyncViews } from '../kds/global/zone-sync-views';
import type { InspectSource } from '../apiserver/deps';
import { loadOrCreateCpCert } from '../tls/self-signed';
import { mkdirSync, readFileSync } from 'node:fs';
import { ensureUserSigningKey, ensureZoneSigningKeySoon, prefetchSigningKeys, zoneSigningKeySettled } from '../auth/signing-key';
import { missingStartupKeys } from '../defaults/startup-keys';
import { apiRequestListener } from '../apiserver/server';
import { ensureAdminToken } from '../defaults/admin-token';
import { verifyZoneCpToken } from '../auth/token-authn';
import { startCaManager } from '../ca/ca-manager';
import { startDataplaneServer, type DpServerHandle } from '../dpserver/start';
import { startAvailableServicesTracker } from '../zone/available-services-tracker';
import { startVipAllocator } from '../dns/vip-allocator';
import { startMeshServiceController } from '../meshservice/controller';
import { ensureDefaultHostnameGenerators } from '../meshservice/default-hostname-generators';
import { LevelDbStore } from '../store/leveldb-store';
import { MemoryStore } from '../store/memory-store';
import type { EarlyStart } from './early-start';
import { AlwaysLeader, type LeaderElector } from './leader/leader-elector';
import { startLeaderGroup, type Singleton } from './leader/leader-group';
import type { ResourceStore } from '../store/resource-store';
import { CpMetrics } from '../metrics/cp-metrics';
import { MeteredStore } from '../metrics/metered-store';

export interface RunningControlPlane {
  store: ResourceStore;
  apiPort: number;
  /** The HTTPS API port, when HTTPS is enabled. */
  apiHttpsPort?: number;
  kdsPort?: number;
  dpPort: number;
  dpServer: DpServerHandle;
  diagnosticsPort: number;
  /** This instance's Prometheus registry (served on /metrics of the diagnostics port). */
  metrics: CpMetrics;
  /** This instance's leadership (always true for leveldb and memory); metrics and `GET /` read it. */
  leader: Pick<LeaderElector, 'isLeader' | 'onChange'>;
  /** The singleton components running now (empty on a follower). */
  leaderComponents(): string[];
  stop(): Promise<void>;
}

async function openStore(cfg: CpConfig, early?: EarlyStart): Promise<ResourceStore> {
  if (early?.store) return early.store;
  if (cfg.store.type === 'memory') return new MemoryStore();
  // The pg client is the heaviest module of a start; only a postgres store loads it.
  if (cfg.store.type === 'postgres') {
    const { PostgresStore } = await import('../store/postgres/postgres-store');
    return PostgresStore.open(cfg.store.postgres, { autoMigrate: cfg.store.postgres.autoMigrate });
  }
  return LevelDbStore.open(cfg.store.leveldb.path);
}

/** `early`: what cmd `control-plane run` began before loading this module (early-start.ts). */
export async function startControlPlane(cfg: CpConfig, early?: EarlyStart): Promise<RunningControlPlane> {
  const log = logger('cp');
  const started = Date.now();
  // The work dir holds the CP certificate and the DP server socket whatever the store type.
  mkdirSync(cfg.general.workDir, { recursive: true });
  let ready = false;
  const stops: (() => Promise<void> | void)[] = [];
  const servers: Server[] = [];
  const instanceId = `${hostname()}-${randomUUID().slice(0, 4)}`;
  let opened: ResourceStore | undefined;
  const metrics = new CpMetrics(
    { instanceId, mode: cfg.mode, zone: cfg.mode === 'zone' ? cfg.multizone.zone.name : '', clusterId: () => (opened ? clusterId(opened) : '') },
    { resourceCounts: () => (opened ? registry.all().map((d) => [d.name, opened!.count(d.name)] as [string, number]) : []) },
  );
  const diag = await startDiagnosticsServer(cfg.diagnostics.serverPort, cfg.apiServer.http.interface, () => ready, metrics);
  servers.push(diag.server);
  try {
    const rawStore = await openStore(cfg, early);
    const store = (opened = new MeteredStore(rawStore, metrics));
    // A stop right after /ready must not close the store under the zone key being written (it logged an error).
    stops.push(async () => {
      await zoneSigningKeySettled(store);
      await store.close();
    });
    if (!early?.keysPrefetched) prefetchSigningKeys(missingStartupKeys(cfg, store));
    const federated = isFederatedZone(cfg);
    // The global's live zone links: its KDS server admits streams by them, the Zone delete guard reads them.
    const zoneLinks = cfg.mode === 'global' ? new ZoneConnections() : undefined;
    // The global's Envoy admin requests to zones: the KDS server attaches the zones' streams, the API asks through it.
    const adminForwarder = zoneLinks && new EnvoyAdminForwarder(cfg.multizone.global.kds.envoyAdminTimeoutMs, (zone) => zoneLinks.isConnected(zone));
    // What each connected zone was sent and ACKed: the KDS server records it, `_propagation` reads it.
    const syncViews = zoneLinks && new ZoneSyncViews();
    // A federated zone answers the global's `_config` requests from the DP server, which starts after KDS.
    const inspectLater: { source?: InspectSource } = {};
    const manager = new ResourceManager({
      store,
      registry,
      ctx: { mode: cfg.mode as 'global' | 'zone', federated, zoneName: cfg.multizone.zone.name, disableOriginLabelValidation: cfg.multizone.zone.disableOriginLabelValidation },
      unsafeDelete: cfg.store.unsafeDelete,
      readOnly: cfg.apiServer.readOnly,
      zoneConnected: zoneLinks && ((zone) => zoneLinks.isConnected(zone)),
    });
    const ctx = { mode: cfg.mode as 'global' | 'zone', federated, zoneName: cfg.multizone.zone.name };
    // Work every instance does: serve the API, xDS and (global) KDS streams. Work one instance of
    // the cluster does: the singletons below, run by the leader group while this instance leads.
    const singletons: Singleton[] = [
      {
        name: 'defaults',
        start: async () => {
          await ensureDefaults(cfg, store, manager);
          // Every CP signs its own user tokens (the key and the admin token never cross KDS).
          await ensureUserSigningKey(store);
          if (cfg.apiServer.authn.tokens.bootstrapAdminToken) await ensureAdminToken(cfg, store);
          await ensureDefaultHostnameGenerators(store, cfg.mode as 'global' | 'zone', cfg.multizone.zone.name);
          // Zone tokens are signed on the global (or a standalone zone); federated zones get the public key over KDS.
          // Made off the path to /ready: zone tokens issued or verified meanwhile wait for it. Begun
          // last, so it neither takes a key prefetched for the keys above (prefetchSigningKeys does
          // not count it; taking one left /ready waiting for a whole new generation) nor competes
          // with their generation for the cores.
          if (!federated) ensureZoneSigningKeySoon(store).catch((e) => log.error({ err: e }, 'could not create the zone token signing key'));
        },
      },
      { name: 'ca-manager', start: () => startCaManager({ store, ctx, createCa: !federated }) },
      { name: 'insight-resyncer', start: () => startInsightResyncer({ store, registry, manager, minIntervalMs: cfg.metrics.meshInsightMinResyncIntervalMs }) },
    ];
    if (isFederatedZone(cfg)) singletons.push({ name: 'kds-zone-client', start: () => startZoneKdsClientFor(cfg, store, instanceId, metrics, () => inspectLater.source) });
    if (cfg.mode === 'zone') {
      singletons.push(
        { name: 'available-services-tracker', start: () => startAvailableServicesTracker({ store, zone: cfg.multizone.zone.name, intervalMs: cfg.multizone.zone.ingressUpdateIntervalMs, log: logger('xds') }) },
        { name: 'vip-allocator', start: () => startVipAllocator({ store, cfg, log: logger('dns') }) },
        { name: 'mesh-service-controller', start: () => startMeshServiceController({ store, zone: cfg.multizone.zone.name, log: logger('xds') }) },
      );
    }
    const elector: LeaderElector = cfg.store.type === 'postgres' ? await pgLeaderElector(cfg, instanceId) : new AlwaysLeader();
    metrics.setLeader(elector.isLeader());
    elector.onChange((leads) => metrics.setLeader(leads));
    const group = startLeaderGroup(elector, singletons, logger('cp'));
    stops.unshift(async () => {
      await group.stop();
      await elector.stop();
    });
    await elector.start();
    // The first leader of a new cluster creates the defaults before this CP reports ready.
    await group.settled();
    const kdsPort = await startGlobalKds(cfg, store, instanceId, stops, zoneLinks, metrics, adminForwarder, syncViews);
    const tls = await loadOrCreateCpCert(cfg.general.workDir, { certFile: cfg.general.tlsCertFile || undefined, keyFile: cfg.general.tlsKeyFile || undefined });
    const dp = await startDataplaneServer({ cfg, store, registry, manager, instanceId, tls, log: logger('xds'), metrics });
    stops.unshift(() => dp.stop());
    let apiPort = 0;
    let apiHttpsPort: number | undefined;
    inspectLater.source = dataplaneInspectSource(dp);
    // A zone computes the MeshService family's status from its own store; the global shows what zones sent.
    const status = cfg.mode === 'global' ? globalStatusSource(store) : zoneStatusSource(store, registry, cfg.multizone.zone.name);
    const apiDeps = { config: cfg, registry, store, manager, instanceId, clusterId: () => clusterId(store), inspect: inspectLater.source, isLeader: () => elector.isLeader(), adminForwarder, syncViews, status };
    const handler = apiRequestListener(apiDeps);
    if (cfg.apiServer.http.enabled) {
      const api = await startApiServer(apiDeps, { port: cfg.apiServer.http.port, iface: cfg.apiServer.http.interface }, handler);
      servers.push(api.server);
      apiPort = api.port;
    }
    const https = cfg.apiServer.https;
    if (https.enabled) {
      // Configured files win; otherwise the CP certificate (general.tlsCertFile or the generated one in the work dir).
      const pair = https.tlsCertFile ? await loadOrCreateCpCert(cfg.general.workDir, { certFile: https.tlsCertFile, keyFile: https.tlsKeyFile }) : tls;
      const api = await startApiServer(apiDeps, { port: https.port, iface: https.interface, tls: pair }, handler);
      servers.push(api.server);
      apiHttpsPort = api.port;
    }
    ready = true;
    log.info(
      { mode: cfg.mode, zone: cfg.mode === 'zone' ? cfg.multizone.zone.name : undefined, federated, store: cfg.store.type, path: cfg.store.type === 'leveldb' ? cfg.store.leveldb.path : undefined, startupMs: Date.now() - started },
      'control plane ready',
    );
    return {
      store,
      apiPort,
      apiHttpsPort,
      kdsPort,
      dpPort: dp.port,
      dpServer: dp,
      diagnosticsPort: diag.port,
      metrics,
      leader: { isLeader: () => elector.isLeader(), onChange: (fn) => elector.onChange(fn) },
      leaderComponents: () => group.running(),
      stop: async () => {
        ready = false;
        for (const s of servers) {
          s.closeAllConnections?.();
          await new Promise((r) => s.close(() => r(undefined)));
        }
        for (const stop of stops) await stop();
      },
    };
  } catch (e) {
    for (const s of servers) s.close();
    for (const stop of stops) await Promise.resolve(stop()).catch(() => undefined);
    throw e;
  }
}

async function pgLeaderElector(cfg: CpConfig, instanceId: string): Promise<LeaderElector> {
  const [{ PgLeaderElector }, { clientConfig }] = await Promise.all([import('./leader/pg-leader-elector'), import('../store/postgres/connection')]);
  return new PgLeaderElector({ config: clientConfig(cfg.store.postgres), log: logger('cp'), instanceId, leaseMs: cfg.store.postgres.leaderLeaseMs });
}

/** Global: serve KDS on every instance (a zone's leader may reach any of them). */
async function startGlobalKds(cfg: CpConfig, store: ResourceStore, instanceId: string, stops: (() => Promise<void> | void)[], zoneLinks?: ZoneConnections, metrics?: CpMetrics, adminForwarder?: EnvoyAdminForwarder, syncViews?: ZoneSyncViews): Promise<number | undefined> {
  if (cfg.mode !== 'global') return undefined;
  const log = logger('kds');
  const kds = cfg.multizone.global.kds;
  const tls = kds.tlsEnabled ? await loadOrCreateCpCert(cfg.general.workDir, { certFile: cfg.general.tlsCertFile || undefined, keyFile: cfg.general.tlsKeyFile || undefined }) : undefined;
  const server = await startGlobalKdsServer({
    store,
    registry,
    log,
    instanceId,
    port: kds.grpcPort,
    address: '0.0.0.0',
    tls,
    maxMsgBytes: kds.maxMsgSizeBytes,
    insightFlushMs: kds.zoneInsightFlushIntervalMs,
    authenticate: zoneAuthenticator(kds.authType, store, verifyZoneCpToken),
    connections: zoneLinks,
    metrics,
    adminForwarder,
    syncViews,
  });
  stops.unshift(() => server.stop());
  return server.port;
}

/** Federated zone: the leader dials the global (one KDS link per zone). */
function startZoneKdsClientFor(cfg: CpConfig, store: ResourceStore, instanceId: string, metrics?: CpMetrics, inspect?: () => InspectSource | undefined): () => Promise<void> | void {
  const z = cfg.multizone.zone;
  const token = z.kds.authToken || (z.kds.authTokenFile ? readFileSync(z.kds.authTokenFile, 'utf8').trim() : '');
  const client = startZoneKdsClient({
    store,
    registry,
    log: logger('kds'),
    zone: z.name,
    instanceId,
    globalAddress: z.globalAddress,
    tlsSkipVerify: z.kds.tlsSkipVerify,
    rootCaFile: z.kds.rootCaFile,
    authToken: token,
    configJson: JSON.stringify({ environment: cfg.environment, mode: cfg.mode, store: { type: cfg.store.type }, multizone: { zone: { name: z.name } }, dpServer: { authn: cfg.dpServer.authn } }),
    maxMsgBytes: cfg.multizone.global.kds.maxMsgSizeBytes,
    baseBackoffMs: z.kds.reconnectBaseBackoffMs,
    maxBackoffMs: z.kds.reconnectMaxBackoffMs,
    statusRefreshIntervalMs: z.kds.statusRefreshIntervalMs,
    metrics,
    inspect,
  });
  return () => client.stop();
}
