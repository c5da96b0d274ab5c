/**
 * The zone side of KDS: dials the global, receives the global's resources
 * (GlobalToZoneSync) and provides its own (ZoneToGlobalSync). Any error on
 * either stream tears the connection down; it is dialled again with
 * exponential backoff, forever. The link is a small state machine whose
 * transitions are logged; while it keeps failing, each distinct error is
 * logged once (at error level for a configuration mistake, with its fix)
 * and repeats go to debug.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import { GlobalKDSServiceClient, KDSSyncServiceClient } from '../../../proto/gen/kuma/mesh/v1alpha1/kds';
import type { Registry, ResourceDescriptor } from '../../resources/registry';
import { LABEL, type Resource, type ResourceKey, type Spec } from '../../resources/model';
import { hasStatus } from '../../meshservice/synced-status';
import { type StatusOf, zoneStatusSource } from '../../meshservice/status-source';
import { statusMoved, statusRefreshOf } from './status-changes';
import type { EncodedResource } from '../wire';
import type { ResourceStore } from '../../store/resource-store';
import { applyBatch, fromGlobalSide } from '../apply';
import { DeltaReceiver } from '../delta-receiver';
import { ChangeCollector, DeltaSender } from '../delta-sender';
import { sendToGlobal, typesGlobalToZone, typesZoneToGlobal } from '../filters';
import { grpcClientOptions } from '../grpc-options';
import { KDS_USER_AGENT, nodeMetadata, setZoneHeaders } from '../node-metadata';
import type { CpMetrics } from '../../metrics/cp-metrics';
import { timedKdsRefresh, withKdsStats } from '../../metrics/kds-stats';
import { startHealthCheckLoop } from './health-check-loop';
import { mapForGlobal } from '../mappers';
import { EncodeCache, outboxSnapshot } from '../outbox';
import { RepeatLimiter } from '../repeat-limiter';
import { classifyDialError, worthTlsProbe, type DialError } from './dial-errors';
import { probeSpeaksTls } from './tls-probe';
import { openEnvoyAdminStreams } from './envoy-admin-answerer';
import type { InspectSource } from '../../apiserver/deps';
import { zoneChannelCredentials } from './tls-credentials';
import { nearExpiryWarning } from '../../auth/token-expiry';

export type LinkState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'stopped';

const ALLOWED: Record<LinkState, LinkState[]> = {
  idle: ['connecting', 'stopped'],
  connecting: ['connected', 'backoff', 'stopped'],
  connected: ['backoff', 'stopped'],
  backoff: ['connecting', 'stopped'],
  stopped: [],
};

export interface ZoneKdsDeps {
  store: ResourceStore;
  registry: Registry;
  log: Logger;
  zone: string;
  instanceId: string;
  /** grpc://host:port or grpcs://host:port */
  globalAddress: string;
  tlsSkipVerify: boolean;
  rootCaFile: string;
  authToken: string;
  /** The zone CP's effective config, sent as a JSON string for ZoneInsight. */
  configJson: string;
  maxMsgBytes: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  onStateChange?(from: LinkState, to: LinkState): void;
  /** How often at most the status of MeshServices that only their status moved is sent again (default 1 s). */
  statusRefreshIntervalMs?: number;
  metrics?: CpMetrics;
  /** The DP server's generated config, for the global's `_config` requests (set once the DP server runs). */
  inspect?: () => InspectSource | undefined;
}

const REFRESH_DEBOUNCE_MS = 10;
/** Kuma recomputes a MeshService's status every 5 s (coreResources.status.meshServiceInterval). */
const DEFAULT_STATUS_REFRESH_INTERVAL_MS = 1000;

/**
 * One record as the zone -> global sender sees it. A copy of another zone's resource (origin
 * global) is never sent and gets no wire name: mapped for the global it would take the name of
 * this zone's own resource of the same display name (zone-1's `backend` and its copy of zone-2's
 * both hash to backend-<hash of zone-1>), and its arrival would retract that one from the global.
 */
export function zoneToGlobalEntry(cache: EncodeCache, d: ResourceDescriptor, r: Resource, status?: Spec): { wireName?: string; encoded?: EncodedResource } {
  if (r.labels[LABEL.origin] === 'global') return {};
  const encoded = cache.encode(d, r, status);
  return { wireName: encoded?.wireName, encoded: encoded && sendToGlobal(d, r) ? encoded : undefined };
}

export function startZoneKdsClient(deps: ZoneKdsDeps): { state(): LinkState; stop(): void } {
  const { store, registry, log } = deps;
  const url = new URL(deps.globalAddress);
  const target = `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || '5685'}`;
  const cache = new EncodeCache(
    (_d, r) => mapForGlobal(r, deps.zone),
    (e) => log.error({ err: e.message }, 'a resource cannot be encoded for KDS; it is not sent'),
  );
  const upTypes = typesZoneToGlobal(registry).map((d) => d.name);
  const downTypes = typesGlobalToZone(registry).map((d) => d.name);
  // The status of this zone's MeshServices goes up with them: one reader per refresh or snapshot,
  // so what it reads (the mesh's Dataplanes, hostnames) is read once for all of them.
  const statusSource = zoneStatusSource(store, registry, deps.zone);
  let reader: StatusOf | undefined;
  const statusOf = (r: Resource): Spec | undefined => (hasStatus(r.type) && r.labels[LABEL.origin] !== 'global' ? (reader ??= statusSource.reader())(r) : undefined);
  const withFreshStatus = <T>(fn: () => T): T => {
    reader = undefined;
    try {
      return fn();
    } finally {
      reader = undefined;
    }
  };

  let state: LinkState = 'idle';
  let backoff = deps.baseBackoffMs;
  let retryTimer: NodeJS.Timeout | undefined;
  let current: { client: InstanceType<typeof KDSSyncServiceClient>; health: { stop(): void }; sender: DeltaSender; streams: { cancel(): void }[] } | undefined;

  // Consecutive failed attempts since the link was last connected: only the first one's transitions are logged at info.
  let failures = 0;
  const limiter = new RepeatLimiter();
  let lastKind: string | undefined;
  const report = (d: DialError) => {
    const key = d.kind === 'other' ? d.message.replace(/\([^)]*\d{4}-\d\d-\d\dT[^)]*\)/g, '') : d.kind;
    if (key !== lastKind) limiter.forget();
    lastKind = key;
    const v = limiter.check(key);
    const fields = { kind: d.kind, ...(v.loud && v.quieted ? { repeatsSinceLastLogged: v.quieted } : {}) };
    if (!v.loud) log.debug(fields, d.message);
    else if (d.severe) log.error(fields, d.message);
    else log.info(fields, `KDS link to the global failed: ${d.message}`);
  };

  const transition = (from: LinkState[], to: LinkState, why?: string): boolean => {
    if (!from.includes(state) || !ALLOWED[state].includes(to)) return false;
    const prev = state;
    state = to;
    const quiet = failures > 1 && (to === 'backoff' || to === 'connecting');
    log[quiet ? 'debug' : 'info']({ from: prev, to, reason: why }, `KDS link ${prev} -> ${to}`);
    deps.onStateChange?.(prev, to);
    return true;
  };

  const credentials = (): grpc.ChannelCredentials => {
    if (url.protocol === 'grpc:') return grpc.credentials.createInsecure();
    const ca = deps.rootCaFile ? readFileSync(deps.rootCaFile) : null;
    return zoneChannelCredentials(ca, deps.tlsSkipVerify);
  };

  // A resource whose status alone moved (a proxy connected, ...) is looked at again at most once
  // per interval: what its status reads (the mesh's Dataplanes) is then read once for a whole
  // connection storm, not once per debounce window.
  const statusPending = new Map<string, ResourceKey>();
  let statusTimer: NodeJS.Timeout | undefined;
  const flushStatus = () => {
    statusTimer = undefined;
    const refresh = statusRefreshOf(statusPending.values(), store);
    statusPending.clear();
    const cur = current;
    if (cur && refresh.size) timedKdsRefresh(deps.metrics, () => withFreshStatus(() => cur.sender.refresh(refresh)));
  };

  // Only the changed records of the changed types are looked at (insights are rewritten often).
  let timer: NodeJS.Timeout | undefined;
  const changes = new ChangeCollector();
  const unwatch = store.watch((events) => {
    changes.add(events);
    if (!timer) {
      timer = setTimeout(() => {
        timer = undefined;
        // Taken even while disconnected: a new link starts with the whole state anyway.
        const c = changes.take();
        const cur = current;
        if (!cur) return;
        timedKdsRefresh(deps.metrics, () => withFreshStatus(() => cur.sender.refresh(c)));
        for (const r of statusMoved(c, store, deps.zone)) statusPending.set(`${r.type}\0${r.mesh}\0${r.name}`, { type: r.type, mesh: r.mesh, name: r.name });
        if (statusPending.size && !statusTimer) statusTimer = setTimeout(flushStatus, deps.statusRefreshIntervalMs ?? DEFAULT_STATUS_REFRESH_INTERVAL_MS);
      }, REFRESH_DEBOUNCE_MS);
    }
  });

  const teardown = (why: string) => {
    const c = current;
    current = undefined;
    if (!c) return;
    for (const s of c.streams) s.cancel();
    c.health.stop();
    c.client.close();
    if (transition(['connecting', 'connected'], 'backoff', why)) {
      const wait = backoff;
      backoff = Math.min(backoff * 2, deps.maxBackoffMs);
      retryTimer = setTimeout(connect, wait);
    }
  };

  const connect = () => {
    if (!transition(['idle', 'backoff'], 'connecting')) return;
    const client = new KDSSyncServiceClient(target, credentials(), grpcClientOptions(deps.maxMsgBytes, KDS_USER_AGENT));
    const md = new grpc.Metadata();
    setZoneHeaders(md, deps.zone);
    // Which process this is: the global keeps a zone name to one CP instance and lets that instance replace its own stale streams.
    md.set('control-plane-id', deps.instanceId);
    if (deps.authToken) md.set('authorization', deps.authToken);
    // Same channel as the sync streams (one connection, as Kuma's mux client).
    const globalKds = new GlobalKDSServiceClient(target, credentials(), { channelOverride: client.getChannel() });
    const health = startHealthCheckLoop(globalKds, md, log);

    const node = {
      id: deps.zone,
      cluster: '',
      metadata: nodeMetadata(deps.instanceId, deps.configJson),
      dynamicParameters: {},
      userAgentName: 'kuma-zone',
      extensions: [],
      clientFeatures: [],
      listeningAddresses: [],
    };

    const down = client.globalToZoneSync(md) as grpc.ClientDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;
    const up = client.zoneToGlobalSync(md) as grpc.ClientDuplexStream<DeltaDiscoveryResponse, DeltaDiscoveryRequest>;
    const sender = new DeltaSender({
      types: upTypes,
      snapshot: (type) => withFreshStatus(() => outboxSnapshot(store, registry, cache, type, (d, r) => sendToGlobal(d, r), statusOf)),
      entry: (type, r) => zoneToGlobalEntry(cache, registry.mustByName(type), r, statusOf(r)),
      send: (resp) => up.write(resp),
      maxMsgBytes: deps.maxMsgBytes,
      onStat: withKdsStats(deps.metrics, (type, ev, detail) => {
        if (ev === 'nack') log.warn({ type, error: detail }, 'global rejected resources (NACK)');
      }),
    });
    const receiver = new DeltaReceiver({
      types: downTypes,
      node,
      send: (req) => down.write(req),
      apply: (type, batch) => applyBatch(store, registry, fromGlobalSide, type, batch),
      onFatal: (e) => teardown(`applying resources from the global failed: ${e.message}`),
      onInitialSyncDone: () => log.info('initial sync from the global applied'),
    });
    const admin = openEnvoyAdminStreams(globalKds, md, { store, registry, zone: deps.zone, inspect: deps.inspect }, log, (which, e) => {
      if (current?.client === client) teardown(`${which} stream failed: ${e.details || e.message}`);
    });
    current = { client, health, sender, streams: [down, up, ...admin] };
    const fail = (which: string) => (e: grpc.ServiceError) => {
      if (current?.client !== client) return;
      failures++;
      const ctx = { scheme: url.protocol, target, zone: deps.zone, rootCaFile: deps.rootCaFile };
      const d = classifyDialError(e, ctx);
      teardown(d.kind === 'other' ? `${which} stream failed: ${e.details || e.message}` : d.message);
      if (d.kind === 'other' && worthTlsProbe(e, url.protocol)) {
        void probeSpeaksTls(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || '5685')).then((tls) => state !== 'stopped' && report(classifyDialError(e, { ...ctx, peerSpeaksTls: tls })));
      } else report(d);
    };
    down.on('error', fail('global->zone'));
    up.on('error', fail('zone->global'));
    down.on('end', () => current?.client === client && teardown('the global closed the global->zone stream'));
    up.on('end', () => current?.client === client && teardown('the global closed the zone->global stream'));
    let connected = false;
    const markConnected = () => {
      if (connected || current?.client !== client) return;
      connected = true;
      backoff = deps.baseBackoffMs;
      failures = 0;
      lastKind = undefined;
      limiter.forget();
      transition(['connecting'], 'connected');
    };
    down.on('data', (resp: DeltaDiscoveryResponse) => {
      markConnected();
      receiver.onResponse(resp);
    });
    up.on('data', (req: DeltaDiscoveryRequest) => {
      markConnected();
      sender.onRequest(req);
    });
    receiver.start();
  };

  if (deps.authToken) {
    const w = nearExpiryWarning(deps.authToken, `the zone token of zone "${deps.zone}"`, `generate a new one on the global (kuma generate zone-token --zone ${deps.zone} --scope cp --valid-for 8760h) and restart this zone CP with it`);
    if (w) log.warn(w);
  }
  connect();
  return {
    state: () => state,
    stop: () => {
      unwatch();
      if (timer) clearTimeout(timer);
      if (statusTimer) clearTimeout(statusTimer);
      statusPending.clear();
      if (retryTimer) clearTimeout(retryTimer);
      const c = current;
      current = undefined;
      if (c) {
        for (const s of c.streams) s.cancel();
        c.health.stop();
        c.client.close();
      }
      transition(['idle', 'connecting', 'connected', 'backoff'], 'stopped');
    },
  };
}
