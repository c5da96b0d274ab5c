// StreamAggregatedResources (State of the World) as protocol traces against a real grpc-js server.
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessDeniedError } from '../../../internal/errors';
import {
  ADS_ORDER,
  CLUSTER_TYPE_URL as CDS,
  ENDPOINT_TYPE_URL as EDS,
  LISTENER_TYPE_URL as LDS,
  ROUTE_TYPE_URL as RDS,
  SECRET_TYPE_URL as SDS,
  shortTypeName,
} from '../../../internal/xds/cache/resource-types';
import { SnapshotCache } from '../../../internal/xds/cache/snapshot-cache';
import { snapshotFromResources } from '../../../internal/xds/cache/snapshot-resources';
import { chainCallbacks } from '../../../internal/xds/server/callbacks';
import { edsCluster, merge, oneOfEach } from '../fixtures';
import {
  type AdsClient,
  type RunningAds,
  RecordingCallbacks,
  adsClient,
  eventually,
  mustBlock,
  openSotw,
  startAds,
  verifyResponse,
} from './ads-harness';

const NODE = 'default.web-1';
/** What each type asks for: LDS/CDS are wildcard, the others name the resources of tag "a". */
const NAMES: Record<string, string[]> = { [CDS]: [], [EDS]: ['c-a'], [LDS]: [], [RDS]: ['r-a'], [SDS]: ['s-a'] };
/** The same plus tag "b", for requests that widen the subscription. */
const WIDER: Record<string, string[]> = { [CDS]: [], [EDS]: ['c-a', 'c-b'], [LDS]: [], [RDS]: ['r-a', 'r-b'], [SDS]: ['s-a', 's-b'] };

let cache: SnapshotCache;
let callbacks: RecordingCallbacks;
let ads: RunningAds;
let client: AdsClient;

const version = (typeUrl: string) => cache.getSnapshot(NODE)!.version(typeUrl);

beforeEach(async () => {
  cache = new SnapshotCache({ versionPrefix: 'v' });
  callbacks = new RecordingCallbacks();
  ads = await startAds({ cache, callbacks });
  client = adsClient(ads.address);
});

afterEach(() => {
  client.close();
  ads.stop();
});

describe('SotW ADS', () => {
  it('LDS: request -> v1 with nonce; ACK; a change is pushed as v2; client end closes with OK', async () => {
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    const v1 = version(LDS);
    const s = openSotw(adsClient(ads.address));
    s.send({ node: { id: NODE }, typeUrl: LDS });
    const r1 = await verifyResponse(s, LDS, v1, 1);
    expect(r1.nonce).toBe('1');

    // Later requests omit the node (set_node_on_first_message_only).
    s.send({ typeUrl: LDS, versionInfo: v1, responseNonce: r1.nonce });
    await mustBlock(s, 'LDS was ACKed and nothing changed');
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a'))); // same bytes, new objects
    await mustBlock(s, 'an equal snapshot keeps the LDS version');

    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const v2 = version(LDS);
    expect(v2).not.toBe(v1);
    const r2 = await verifyResponse(s, LDS, v2, 2);
    expect(r2.nonce).toBe('2');
    s.send({ typeUrl: LDS, versionInfo: v2, responseNonce: r2.nonce });

    s.end();
    expect((await s.status).code).toBe(grpc.status.OK);
    await eventually('onStreamClose', () => callbacks.events.includes(`close ${NODE}`));
    expect(callbacks.take()).toEqual([
      'open sotw',
      `request LDS - from ${NODE}`,
      `response LDS ${v1} [l-a]`,
      `ack LDS ${v1} from ${NODE}`,
      `response LDS ${v2} [l-a,l-b]`,
      `ack LDS ${v2} from ${NODE}`,
      `close ${NODE}`,
    ]);
    expect(ads.ads.activeStreams()).toBe(0);
    expect(cache.watchCount()).toBe(0);
  });

  it('NACK: reported with error_detail; the rejected version is not sent again; the next change is', async () => {
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    const v1 = version(CDS);
    const s = openSotw(client);
    s.send({ node: { id: NODE }, typeUrl: CDS });
    const r1 = await verifyResponse(s, CDS, v1, 1);

    // A NACK carries the last accepted version ('' here) and the nonce it rejects.
    s.send({ typeUrl: CDS, versionInfo: '', responseNonce: r1.nonce, errorDetail: { code: 3, message: 'bad cluster c-a' } });
    await mustBlock(s, 'a NACKed version is not resent (no NACK loop)');
    // Envoy repeating its request with the same nonce does not bring the rejected version back either.
    s.send({ typeUrl: CDS, versionInfo: '', responseNonce: r1.nonce });
    await mustBlock(s, 'a repeated request after a NACK is no reason to resend');

    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a', 2)));
    const v2 = version(CDS);
    const r2 = await verifyResponse(s, CDS, v2, 1);
    s.send({ typeUrl: CDS, versionInfo: v2, responseNonce: r2.nonce });
    await eventually('the ACK', () => callbacks.events.length === 7);
    expect(callbacks.take()).toEqual([
      'open sotw',
      `request CDS - from ${NODE}`,
      `response CDS ${v1} [c-a]`,
      `nack CDS ${v1} "bad cluster c-a" from ${NODE}`,
      `request CDS - from ${NODE}`,
      `response CDS ${v2} [c-a]`,
      `ack CDS ${v2} from ${NODE}`,
    ]);
  });

  for (const typeUrl of ADS_ORDER) {
    it(`${shortTypeName(typeUrl)}: a request with a stale nonce is ignored`, async () => {
      cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
      const s = openSotw(client);
      s.send({ node: { id: NODE }, typeUrl, resourceNames: NAMES[typeUrl] });
      const r1 = await verifyResponse(s, typeUrl, version(typeUrl), 1);
      s.send({ typeUrl, versionInfo: r1.versionInfo, resourceNames: NAMES[typeUrl], responseNonce: r1.nonce });
      await eventually('the ACK', () => callbacks.events.some((e) => e.startsWith('ack')));

      cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a', 2), oneOfEach('b'))));
      const wildcard = NAMES[typeUrl].length === 0;
      const r2 = await verifyResponse(s, typeUrl, version(typeUrl), wildcard ? 2 : 1);
      callbacks.take();

      // Answers to r1 after r2 was sent are stale. Processed, each would cause a response (an
      // unknown version, or a name not yet delivered); ignored, nothing happens.
      s.send({ typeUrl, versionInfo: '', resourceNames: WIDER[typeUrl], responseNonce: r1.nonce });
      s.send({ typeUrl, versionInfo: '', resourceNames: WIDER[typeUrl], responseNonce: r1.nonce, errorDetail: { message: 'late' } });
      await mustBlock(s, 'stale nonce');
      expect(callbacks.take()).toEqual([]);

      s.send({ typeUrl, versionInfo: r2.versionInfo, resourceNames: NAMES[typeUrl], responseNonce: r2.nonce });
      await eventually('the ACK of r2', () => callbacks.events.length === 1);
      expect(callbacks.take()).toEqual([`ack ${shortTypeName(typeUrl)} ${r2.versionInfo} from ${NODE}`]);
    });
  }

  it('answers a newly requested name at an unchanged version (Envoy got a listener and asks for its route)', async () => {
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const v = version(RDS);
    const s = openSotw(client);
    s.send({ node: { id: NODE }, typeUrl: RDS, resourceNames: ['r-a'] });
    const r1 = await verifyResponse(s, RDS, v, 1);
    s.send({ typeUrl: RDS, versionInfo: v, resourceNames: ['r-a'], responseNonce: r1.nonce });
    await mustBlock(s, 'r-a was delivered at this version');
    s.send({ typeUrl: RDS, versionInfo: v, resourceNames: ['r-a', 'r-b'], responseNonce: r1.nonce });
    const r2 = await verifyResponse(s, RDS, v, 2);
    expect(r2.resources.map((r) => r.typeUrl)).toEqual([RDS, RDS]);
  });

  it('a CDS change also pushes EDS with a new version, so re-warming clusters get their endpoints', async () => {
    const a = oneOfEach('a');
    cache.setSnapshot(NODE, snapshotFromResources(a));
    const s = openSotw(client);
    s.send({ node: { id: NODE }, typeUrl: EDS, resourceNames: ['c-a'] });
    const r1 = await verifyResponse(s, EDS, version(EDS), 1);
    s.send({ typeUrl: EDS, versionInfo: r1.versionInfo, resourceNames: ['c-a'], responseNonce: r1.nonce });
    await mustBlock(s, 'EDS ACKed');

    cache.setSnapshot(NODE, snapshotFromResources({ ...a, clusters: [edsCluster('c-a', { connectTimeoutSeconds: 30 })] }));
    const r2 = await verifyResponse(s, EDS, version(EDS), 1);
    expect(r2.versionInfo).not.toBe(r1.versionInfo);
    expect(Buffer.compare(r2.resources[0].value, r1.resources[0].value)).toBe(0);
  });

  it('sends responses that become due together in ADS order CDS, EDS, LDS, RDS, SDS', async () => {
    const s = openSotw(client);
    const reversed = [...ADS_ORDER].reverse();
    s.send({ node: { id: NODE }, typeUrl: reversed[0], resourceNames: NAMES[reversed[0]] });
    for (const typeUrl of reversed.slice(1)) s.send({ typeUrl, resourceNames: NAMES[typeUrl] });
    await eventually('five open watches', () => cache.watchCount(NODE) === 5);

    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    const order: string[] = [];
    for (const typeUrl of ADS_ORDER) order.push((await verifyResponse(s, typeUrl, version(typeUrl), 1)).typeUrl);
    expect(order.map(shortTypeName)).toEqual(['CDS', 'EDS', 'LDS', 'RDS', 'SDS']);
  });

  it('waits for a snapshot: a node without one gets its first response when it is set', async () => {
    const s = openSotw(client);
    s.send({ node: { id: NODE }, typeUrl: LDS });
    await mustBlock(s, 'no snapshot for the node yet');
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    await verifyResponse(s, LDS, version(LDS), 1);
  });

  it('a slow onStreamRequest (NACK backoff) delays the stream and keeps the order of requests', async () => {
    ads.stop();
    const seen: string[] = [];
    const backoff = {
      onStreamRequest: (_id: number, _node: unknown, typeUrl: string) => {
        seen.push(shortTypeName(typeUrl));
        if (typeUrl === LDS) return new Promise<void>((resolve) => setTimeout(resolve, 100));
      },
    };
    ads = await startAds({ cache, callbacks: chainCallbacks(backoff, callbacks) });
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    const s = openSotw(adsClient(ads.address));
    s.send({ node: { id: NODE }, typeUrl: LDS });
    s.send({ typeUrl: CDS });
    await verifyResponse(s, LDS, version(LDS), 1);
    await verifyResponse(s, CDS, version(CDS), 1);
    expect(seen).toEqual(['LDS', 'CDS']);
  });

  it('closes a stream whose first request has no node with INVALID_ARGUMENT', async () => {
    const s = openSotw(client);
    s.send({ typeUrl: LDS });
    const status = await s.status;
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toBe('the first request of an ADS stream must carry node with a non-empty id');
  });

  it('closes a stream on a request without type_url with INVALID_ARGUMENT', async () => {
    const s = openSotw(client);
    s.send({ node: { id: NODE } });
    const status = await s.status;
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toBe('type_url is required on an ADS stream');
  });

  it('closeAll ends every stream with UNAVAILABLE', async () => {
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    const s = openSotw(client);
    s.send({ node: { id: NODE }, typeUrl: LDS });
    await verifyResponse(s, LDS, version(LDS), 1);
    ads.ads.closeAll();
    const status = await s.status;
    expect([status.code, status.details]).toEqual([grpc.status.UNAVAILABLE, 'the control plane is shutting down']);
    await eventually('no streams left', () => ads.ads.activeStreams() === 0);
  });
});

describe('SotW ADS stream admission (onStreamOpen)', () => {
  async function refusedWith(onStreamOpen: (ctx: { metadata: grpc.Metadata }) => void | Promise<void>) {
    ads.stop();
    ads = await startAds({ cache, callbacks: chainCallbacks({ onStreamOpen }, callbacks) });
    const metadata = new grpc.Metadata();
    metadata.set('authorization', 'Bearer not-a-token');
    const s = openSotw(adsClient(ads.address), metadata);
    s.send({ node: { id: NODE }, typeUrl: LDS });
    return s.status;
  }

  it('a thrown error closes the stream with UNAUTHENTICATED and its message; no request is processed', async () => {
    const status = await refusedWith((ctx) => {
      throw new Error(`invalid dataplane token ${String(ctx.metadata.get('authorization')[0])}`);
    });
    expect([status.code, status.details]).toEqual([grpc.status.UNAUTHENTICATED, 'invalid dataplane token Bearer not-a-token']);
    await eventually('onStreamClose', () => callbacks.events.length === 1);
    expect(callbacks.take()).toEqual(['close -']);
  });

  it('an async AccessDeniedError closes the stream with PERMISSION_DENIED', async () => {
    const status = await refusedWith(async () => {
      throw new AccessDeniedError('dataplane default.web-1 may not use this token');
    });
    expect([status.code, status.details]).toEqual([grpc.status.PERMISSION_DENIED, 'dataplane default.web-1 may not use this token']);
  });

  it('requests sent while an async onStreamOpen is pending are processed after it accepts', async () => {
    ads.stop();
    ads = await startAds({
      cache,
      callbacks: chainCallbacks({ onStreamOpen: () => new Promise<void>((resolve) => setTimeout(resolve, 100)) }, callbacks),
    });
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    const s = openSotw(adsClient(ads.address));
    s.send({ node: { id: NODE }, typeUrl: LDS });
    s.send({ typeUrl: CDS });
    await verifyResponse(s, LDS, version(LDS), 1);
    await verifyResponse(s, CDS, version(CDS), 1);
  });
});
