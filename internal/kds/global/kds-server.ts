/**
 * The global side of KDS (:5685): zones dial in and open two streams.
 * GlobalToZoneSync: the zone subscribes, the global sends what the zone
 * needs (Mesh, policies, secrets, other zones' ingresses). ZoneToGlobalSync:
 * the global subscribes, the zone sends what it provides (Dataplanes, zone
 * proxies and their insights). Zones are authenticated by a zone token.
 * A zone name belongs to one zone CP instance at a time (ZoneConnections):
 * another instance's streams are refused before they touch the store.
 */
import * as grpc from '@grpc/grpc-js';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import { GlobalKDSServiceService, KDSSyncServiceService } from '../../../proto/gen/kuma/mesh/v1alpha1/kds';
import type { Logger } from 'pino';
import { isDeepStrictEqual } from 'node:util';
import type { Registry } from '../../resources/registry';
import type { ResourceStore } from '../../store/resource-store';
import { applyBatch, fromZoneSide } from '../apply';
import { DeltaReceiver } from '../delta-receiver';
import { ChangeCollector, DeltaSender } from '../delta-sender';
import { sendToZone, typesGlobalToZone, typesZoneToGlobal, type ZoneLookup } from '../filters';
import { mapForZone } from '../mappers';
import { EncodeCache, outboxSnapshot } from '../outbox';
import { grpcServerOptions } from '../grpc-options';
import { ZoneInsightTracker } from './zone-insight-tracker';
import { ZoneConnections, zoneTakenMessage, type StreamKind, type ZoneStream } from './zone-connections';
import { RepeatLimiter } from '../repeat-limiter';
import { watchPlaintextOnTls } from './plaintext-on-tls';
import { ZONE_SIGNING_KEY_PREFIX, parseKey, publicKeyPem, secretBytes, zoneSigningPublicKeyName } from '../../auth/signing-key';
import { encodeResource, type EncodedResource } from '../wire';
import { FEATURE, featuresOf, nodeMetadata } from '../node-metadata';
import type { CpMetrics } from '../../metrics/cp-metrics';
import { timedKdsRefresh, withKdsStats } from '../../metrics/kds-stats';
import { serveEnvoyAdminStreams } from './envoy-admin-streams';
import { nearExpiryWarning } from '../../auth/token-expiry';
import type { EnvoyAdminForwarder } from './envoy-admin-forwarder';
import type { ZoneSyncViews } from './zone-sync-views';

export class KdsAuthError extends Error {
  constructor(
    message: string,
    readonly grpcCode: grpc.status = grpc.status.UNAUTHENTICATED,
  ) {
    super(message);
  }
}

/** Who a stream belongs to; throws KdsAuthError to refuse it with a reason the zone logs. */
export type ZoneAuthenticator = (md: grpc.Metadata) => Promise<{ zone: string; tokenProvided: boolean }>;

export interface GlobalKdsDeps {
  store: ResourceStore;
  registry: Registry;
  log: Logger;
  instanceId: string;
  port: number;
  address: string;
  tls?: { certPem: string; keyPem: string };
  maxMsgBytes: number;
  insightFlushMs: number;
  authenticate: ZoneAuthenticator;
  /** Live zone links; shared with the Zone delete guard. */
  connections?: ZoneConnections;
  metrics?: CpMetrics;
  /** Envoy-admin requests forwarded to zones (the API's inspect routes); absent: the streams are not served. */
  adminForwarder?: EnvoyAdminForwarder;
  /** Where each connected zone's sender is, for the propagation view (`_propagation`). */
  syncViews?: ZoneSyncViews;
}

interface Session {
  zone: string;
  /** The zone advertised `hash-suffix` in the node metadata of its first request. */
  hashNames: boolean;
  sender: DeltaSender;
  tracker?: ZoneInsightTracker;
}

const REFRESH_DEBOUNCE_MS = 10;

export async function startGlobalKdsServer(deps: GlobalKdsDeps): Promise<{ port: number; stop(): Promise<void> }> {
  const { store, registry, log } = deps;
  const onEncodeError = (e: Error) => log.error({ err: e.message }, 'a resource cannot be encoded for KDS; it is not sent');
  const cache = new EncodeCache(mapForZone, onEncodeError);
  // For zones that do not advertise hash-suffix: names as they are (Kuma's global mapper).
  const unhashedCache = new EncodeCache((d, r) => mapForZone(d, r, { hashNames: false }), onEncodeError);
  const downTypes = typesGlobalToZone(registry).map((d) => d.name);
  const upTypes = typesZoneToGlobal(registry).map((d) => d.name);
  const sessions = new Set<Session>();
  const connections = deps.connections ?? new ZoneConnections();
  // A refused zone retries every few seconds: say why once, then quietly.
  const refusals = new RepeatLimiter();
  const zones: ZoneLookup = { isEnabled: (z) => store.get({ type: 'Zone', mesh: '', name: z })?.spec.enabled !== false };

  await closeStaleSubscriptions(store);

  // Zones validate zone tokens (ingress/egress) with the public halves of the
  // global's zone signing keys; the private keys never leave the global.
  const publicKeyCache = new WeakMap<object, EncodedResource>();
  const zonePublicKeys = (): EncodedResource[] =>
    store.list('GlobalSecret', { nameContains: ZONE_SIGNING_KEY_PREFIX }).items.flatMap((r) => {
      let e = publicKeyCache.get(r);
      if (!e) {
        const kid = r.name.slice(ZONE_SIGNING_KEY_PREFIX.length + 1);
        if (!/^\d+$/.test(kid)) return [];
        const pem = publicKeyPem(parseKey(secretBytes(r), 'private'));
        e = encodeResource(registry.mustByName('GlobalSecret'), { type: 'GlobalSecret', mesh: '', name: zoneSigningPublicKeyName(kid), labels: { 'kuma.io/origin': 'global' }, spec: { data: Buffer.from(pem).toString('base64') } });
        publicKeyCache.set(r, e);
      }
      return [e];
    });

  // Each refresh looks at the types that changed since the last one; a Zone change (enabled or
  // not) changes which zones' ingresses the others get, so it refreshes everything.
  let timer: NodeJS.Timeout | undefined;
  const changes = new ChangeCollector();
  const refreshAll = () => {
    timer = undefined;
    const c = changes.take();
    const whole = c.has('Zone');
    for (const s of sessions) if (zones.isEnabled(s.zone)) timedKdsRefresh(deps.metrics, () => s.sender.refresh(whole ? undefined : c));
  };
  const unwatch = store.watch((events) => {
    changes.add(events);
    if (!timer) timer = setTimeout(refreshAll, REFRESH_DEBOUNCE_MS);
  });

  const refuse = (call: grpc.ServerDuplexStream<unknown, unknown>, e: unknown) => {
    const code = e instanceof KdsAuthError ? e.grpcCode : grpc.status.INTERNAL;
    const details = (e as Error).message;
    const v = refusals.check(details);
    const fields = { peer: call.getPeer(), reason: details, ...(v.loud && v.quieted ? { repeatsSinceLastLogged: v.quieted } : {}) };
    if (v.loud) log.warn(fields, 'refused a KDS stream');
    else log.debug(fields, 'refused a KDS stream');
    call.emit('error', { code, details });
  };

  /**
   * Admits a stream of an authenticated zone or refuses it. The instance is
   * the zone's `control-plane-id` header; a client that sends none (another
   * implementation) is identified by its connection, which both of its
   * streams share.
   */
  const admit = (call: grpc.ServerDuplexStream<unknown, unknown>, zone: string, kind: StreamKind, close: (reason: string) => void): ZoneStream | undefined => {
    const instanceId = String(call.metadata.get('control-plane-id')[0] ?? '') || `peer:${call.getPeer()}`;
    const stream: ZoneStream = { kind, instanceId, close };
    const claim = connections.claim(zone, stream);
    if (!claim.accepted) {
      refuse(call, new KdsAuthError(zoneTakenMessage(zone, claim.holder, claim.since, instanceId), grpc.status.ALREADY_EXISTS));
      return undefined;
    }
    refusals.forget();
    if (claim.replaced) {
      log.info({ zone, instance: instanceId, stream: kind }, 'zone CP reconnected; closing its previous stream');
      claim.replaced.close('replaced by a newer stream of the same zone CP instance');
    }
    return stream;
  };

  const globalToZoneSync = async (call: grpc.ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>) => {
    let zone: string;
    let tokenProvided: boolean;
    try {
      ({ zone, tokenProvided } = await deps.authenticate(call.metadata));
    } catch (e) {
      return refuse(call, e);
    }
    if (call.cancelled) return;
    let session: Session | undefined;
    let stream: ZoneStream | undefined;
    let ended = false;
    let detachView = () => {};
    const end = () => {
      if (ended) return;
      ended = true;
      if (stream) connections.release(zone, stream);
      detachView();
      if (!session || !sessions.delete(session)) return;
      deps.metrics?.kds.streamClosed();
      pendingWhileDisabled.delete(session);
      void session.tracker?.close();
      log.info({ zone }, 'zone disconnected (global->zone stream)');
    };
    stream = admit(call, zone, 'globalToZone', (reason) => {
      end();
      call.emit('error', { code: grpc.status.ABORTED, details: reason });
    });
    if (!stream) return;
    call.on('end', () => {
      end();
      call.end();
    });
    call.on('error', end);
    call.on('close', end);
    call.on('cancelled', end);
    await ensureZone(store, zone);
    if (ended) return;
    const s: Session = {
      zone,
      hashNames: true,
      sender: new DeltaSender({
        types: downTypes,
        snapshot: (type) => {
          const snap = outboxSnapshot(store, registry, s.hashNames ? cache : unhashedCache, type, (d, r) => sendToZone(d, r, zone, zones));
          if (type === 'GlobalSecret') for (const e of zonePublicKeys()) snap.set(e.wireName, e);
          return snap;
        },
        // GlobalSecret's state includes public keys derived from the signing keys: rebuilt whole.
        entry: (type, r) => {
          if (type === 'GlobalSecret') return undefined;
          const d = registry.mustByName(type);
          const encoded = (s.hashNames ? cache : unhashedCache).encode(d, r);
          return { wireName: encoded?.wireName, encoded: encoded && sendToZone(d, r, zone, zones) ? encoded : undefined };
        },
        send: (resp) => call.write(resp),
        maxMsgBytes: deps.maxMsgBytes,
        onStat: withKdsStats(deps.metrics, (type, ev, detail) => {
          s.tracker?.count(type, ev);
          if (ev === 'nack') log.warn({ zone, type, error: detail }, 'zone rejected resources (NACK)');
        }),
      }),
    };
    session = s;
    sessions.add(s);
    if (deps.syncViews) {
      detachView = deps.syncViews.attach(zone, {
        connectedAtMs: Date.now(),
        subscribed: (type) => s.sender.subscribed(type),
        delivery: (type, wireName) => s.sender.delivery(type, wireName),
        encodingFor: (d, r) => {
          if (!sendToZone(d, r, zone, zones)) return { filtered: true };
          const e = (s.hashNames ? cache : unhashedCache).encode(d, r);
          return e ? { wireName: e.wireName, version: e.version } : { unencodable: true };
        },
      });
    }
    deps.metrics?.kds.streamOpened();
    log.info({ zone, instance: stream.instanceId, peer: call.getPeer() }, 'zone connected (global->zone stream)');
    const token = String(call.metadata.get('authorization')[0] ?? '');
    const soon = token && nearExpiryWarning(token, `the zone token of zone "${zone}"`, `generate a new one (kuma generate zone-token --zone ${zone} --scope cp --valid-for 8760h) and give it to the zone CP`);
    if (soon) log.warn({ zone }, soon);
    let first = true;
    call.on('data', (req: DeltaDiscoveryRequest) => {
      if (ended) return;
      if (first) {
        first = false;
        const md = (req.node?.metadata ?? {}) as Record<string, unknown>;
        s.hashNames = featuresOf(md).has(FEATURE.hashSuffix);
        s.tracker = new ZoneInsightTracker(
          store,
          zone,
          {
            globalInstanceId: deps.instanceId,
            zoneInstanceId: String(md['control-plane-id'] ?? ''),
            version: (md.version as Record<string, unknown>) ?? {},
            config: typeof md.config === 'string' ? md.config : '{}',
            authTokenProvided: tokenProvided,
          },
          deps.insightFlushMs,
        );
        void s.tracker.open();
      }
      // A disabled zone gets nothing from the global until it is enabled again.
      if (zones.isEnabled(zone)) s.sender.onRequest(req);
      else {
        if (!pendingWhileDisabled.has(s)) log.info({ zone }, 'zone connected but is disabled: it gets no config until it is enabled (Zone spec.enabled: true)');
        pendingWhileDisabled.set(s, [...(pendingWhileDisabled.get(s) ?? []), req]);
      }
    });
  };

  // Subscriptions that arrived while a zone was disabled are replayed once it is enabled.
  const pendingWhileDisabled = new Map<Session, DeltaDiscoveryRequest[]>();
  // What operators need to hear: a zone turned off or on (logged once per change).
  const enabledState = new Map<string, boolean>();
  const unwatchZones = store.watch((events) => {
    if (!events.some((e) => e.resource.type === 'Zone')) return;
    for (const e of events) {
      if (e.resource.type !== 'Zone') continue;
      const zone = e.resource.name;
      const enabled = e.kind === 'delete' ? undefined : e.resource.spec.enabled !== false;
      const was = enabledState.get(zone) ?? true;
      if (enabled === undefined) enabledState.delete(zone);
      else enabledState.set(zone, enabled);
      if (enabled === false && was) log.info({ zone }, 'zone disabled: the global sends it nothing and shows it Offline until it is enabled again (Zone spec.enabled: true)');
      if (enabled === true && !was) log.info({ zone }, 'zone enabled: the global sends it its config again');
    }
    for (const [s, reqs] of pendingWhileDisabled) {
      if (!zones.isEnabled(s.zone)) continue;
      pendingWhileDisabled.delete(s);
      for (const r of reqs) s.sender.onRequest(r);
    }
  });

  const zoneToGlobalSync = async (call: grpc.ServerDuplexStream<DeltaDiscoveryResponse, DeltaDiscoveryRequest>) => {
    let zone: string;
    try {
      ({ zone } = await deps.authenticate(call.metadata));
    } catch (e) {
      return refuse(call, e);
    }
    if (call.cancelled) return;
    let receiver: DeltaReceiver | undefined;
    let stream: ZoneStream | undefined;
    let ended = false;
    const stop = () => {
      if (ended) return;
      ended = true;
      if (stream) connections.release(zone, stream);
      receiver?.stop();
    };
    stream = admit(call, zone, 'zoneToGlobal', (reason) => {
      stop();
      call.emit('error', { code: grpc.status.ABORTED, details: reason });
    });
    if (!stream) return;
    call.on('end', () => {
      stop();
      call.end();
    });
    call.on('error', stop);
    call.on('close', stop);
    call.on('cancelled', stop);
    await ensureZone(store, zone);
    if (ended) return;
    const r = new DeltaReceiver({
      types: upTypes,
      // As Kuma's global: node.id is the zone's name (from client-id), metadata says who we are.
      node: { id: zone, cluster: '', metadata: nodeMetadata(deps.instanceId, ''), dynamicParameters: {}, userAgentName: 'kuma-global', extensions: [], clientFeatures: [], listeningAddresses: [] },
      send: (req) => call.write(req),
      apply: (type, batch) => {
        for (const sess of sessions) if (sess.zone === zone) sess.tracker?.count(type, 'received');
        return applyBatch(store, registry, fromZoneSide(zone), type, batch);
      },
      onFatal: (e) => {
        log.error({ zone, err: e.message }, 'applying zone resources failed; closing the stream so the zone resyncs');
        call.emit('error', { code: grpc.status.INTERNAL, details: e.message });
      },
    });
    receiver = r;
    call.on('data', (resp: DeltaDiscoveryResponse) => r.onResponse(resp));
    r.start();
  };

  const server = new grpc.Server(grpcServerOptions(deps.maxMsgBytes));
  server.addService(KDSSyncServiceService, { globalToZoneSync, zoneToGlobalSync });
  server.addService(GlobalKDSServiceService, {
    healthCheck: (_call: unknown, cb: grpc.sendUnaryData<{ interval?: { seconds: string; nanos: number } }>) => cb(null, {}),
    ...serveEnvoyAdminStreams({ authenticate: deps.authenticate, connections, forwarder: deps.adminForwarder, refuse, log }),
  });
  const creds = deps.tls ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(deps.tls.certPem), private_key: Buffer.from(deps.tls.keyPem) }], false) : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(`${deps.address}:${deps.port}`, creds, (err, p) => (err ? reject(err) : resolve(p))));
  if (deps.tls) watchPlaintextOnTls(server, port, log);
  log.info({ port, tls: !!deps.tls }, 'KDS server listening');
  return {
    port,
    stop: async () => {
      unwatch();
      unwatchZones();
      if (timer) clearTimeout(timer);
      server.forceShutdown();
      await Promise.all([...sessions].map((s) => s.tracker?.close()));
      sessions.clear();
    },
  };
}

/** The global creates a zone's Zone resource on its first contact (Kuma zone_sync.go). */
async function ensureZone(store: ResourceStore, zone: string): Promise<void> {
  if (store.get({ type: 'Zone', mesh: '', name: zone })) return;
  try {
    await store.create({ type: 'Zone', mesh: '', name: zone, labels: {}, spec: { enabled: true } });
  } catch (e) {
    if ((e as { code?: string }).code !== 'KUMA_ALREADY_EXISTS') throw e;
  }
}

/**
 * After a restart no zone is connected to this global, whatever the stored
 * insights say: close every subscription still open so nothing shows Online.
 */
async function closeStaleSubscriptions(store: ResourceStore): Promise<void> {
  const now = new Date().toISOString();
  for (const zi of store.list('ZoneInsight').items) {
    const subs = (zi.spec.subscriptions ?? []) as Record<string, unknown>[];
    const closed = subs.map((s) => (s.disconnectTime ? s : { ...s, disconnectTime: now }));
    if (!isDeepStrictEqual(closed, subs)) await store.update({ ...zi, spec: { ...zi.spec, subscriptions: closed } }, zi.version);
  }
}
