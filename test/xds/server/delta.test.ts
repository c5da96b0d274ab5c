// DeltaAggregatedResources (incremental xDS) as protocol traces against a real grpc-js server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeltaDiscoveryResponse } from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import {
  CLUSTER_TYPE_URL as CDS,
  ENDPOINT_TYPE_URL as EDS,
  LISTENER_TYPE_URL as LDS,
} from '../../../internal/xds/cache/resource-types';
import { SnapshotCache } from '../../../internal/xds/cache/snapshot-cache';
import { snapshotFromResources } from '../../../internal/xds/cache/snapshot-resources';
import { merge, oneOfEach } from '../fixtures';
import {
  type AdsClient,
  type RunningAds,
  RecordingCallbacks,
  adsClient,
  eventually,
  mustBlock,
  openDelta,
  startAds,
  verifyResponse,
} from './ads-harness';

const NODE = 'default.web-1';

let cache: SnapshotCache;
let callbacks: RecordingCallbacks;
let ads: RunningAds;
let client: AdsClient;

const version = (typeUrl: string) => cache.getSnapshot(NODE)!.version(typeUrl);
/** The per-resource version the cache holds for a name. */
const resourceVersion = (typeUrl: string, name: string) => cache.getSnapshot(NODE)!.resources(typeUrl).get(name)!.version;
const sent = (res: DeltaDiscoveryResponse) => res.resources.map((r) => `${r.name}@${r.version}`);

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

describe('Delta ADS', () => {
  it('wildcard ["*"]: everything first, then only changed resources and removed names', async () => {
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const d = openDelta(client);
    d.send({ node: { id: NODE }, typeUrl: CDS, resourceNamesSubscribe: ['*'] });
    const r1 = await verifyResponse(d, CDS, version(CDS), 2);
    expect(sent(r1)).toEqual([`c-a@${resourceVersion(CDS, 'c-a')}`, `c-b@${resourceVersion(CDS, 'c-b')}`]);
    expect(r1.removedResources).toEqual([]);
    expect(r1.resources[0].resource!.typeUrl).toBe(CDS);

    d.send({ typeUrl: CDS, responseNonce: r1.nonce });
    await mustBlock(d, 'CDS ACKed, nothing changed');
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'), oneOfEach('a', 1))));
    await mustBlock(d, 'an equal snapshot sends nothing');

    // c-a changes, c-b goes away, c-c is new.
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a', 2), oneOfEach('c'))));
    const r2 = await verifyResponse(d, CDS, version(CDS), 2);
    expect(sent(r2)).toEqual([`c-a@${resourceVersion(CDS, 'c-a')}`, `c-c@${resourceVersion(CDS, 'c-c')}`]);
    expect(r2.removedResources).toEqual(['c-b']);
    d.send({ typeUrl: CDS, responseNonce: r2.nonce });

    await eventually('the second ACK', () => callbacks.events.length === 5);
    expect(callbacks.take()).toEqual([
      'open delta',
      `request CDS - from ${NODE}`,
      `response CDS ${r1.systemVersionInfo} [c-a,c-b]`,
      `ack CDS ${r1.systemVersionInfo} from ${NODE}`,
      `response CDS ${r2.systemVersionInfo} [c-a,c-c] -[c-b]`,
    ]);
    await eventually('the last ACK', () => callbacks.events.length === 1);
    expect(callbacks.take()).toEqual([`ack CDS ${r2.systemVersionInfo} from ${NODE}`]);
  });

  it('legacy wildcard: a first request with no names subscribes to everything', async () => {
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const d = openDelta(client);
    d.send({ node: { id: NODE }, typeUrl: LDS });
    const r1 = await verifyResponse(d, LDS, version(LDS), 2);
    expect(r1.resources.map((r) => r.name)).toEqual(['l-a', 'l-b']);
  });

  it('explicit names: only those; subscribe and unsubscribe; a removed subscribed resource is reported', async () => {
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'), oneOfEach('c'))));
    const d = openDelta(client);
    d.send({ node: { id: NODE }, typeUrl: EDS, resourceNamesSubscribe: ['c-a'] });
    const r1 = await verifyResponse(d, EDS, version(EDS), 1);
    expect(r1.resources.map((r) => r.name)).toEqual(['c-a']);
    d.send({ typeUrl: EDS, responseNonce: r1.nonce });

    // A subscription change carries no nonce; only the new name is sent.
    d.send({ typeUrl: EDS, resourceNamesSubscribe: ['c-b'] });
    const r2 = await verifyResponse(d, EDS, version(EDS), 1);
    expect(r2.resources.map((r) => r.name)).toEqual(['c-b']);
    d.send({ typeUrl: EDS, responseNonce: r2.nonce });

    d.send({ typeUrl: EDS, resourceNamesUnsubscribe: ['c-a'] });
    await mustBlock(d, 'unsubscribing sends nothing');

    // c-a (unsubscribed) and c-b (subscribed) go away, c-c (never subscribed) changes.
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('c', 2)));
    const r3 = await verifyResponse(d, EDS, version(EDS), 0);
    expect(r3.removedResources).toEqual(['c-b']);
  });

  it('NACK: reported, nothing resent; the next change sends only what changed', async () => {
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const d = openDelta(client);
    d.send({ node: { id: NODE }, typeUrl: CDS, resourceNamesSubscribe: ['*'] });
    const r1 = await verifyResponse(d, CDS, version(CDS), 2);
    d.send({ typeUrl: CDS, responseNonce: r1.nonce, errorDetail: { code: 3, message: 'cluster c-b: bad timeout' } });
    await mustBlock(d, 'a NACK is not answered with the same resources');

    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b', 2))));
    const r2 = await verifyResponse(d, CDS, version(CDS), 1);
    expect(r2.resources.map((r) => r.name)).toEqual(['c-b']);
    d.send({ typeUrl: CDS, responseNonce: r2.nonce });
    await eventually('the ACK', () => callbacks.events.length === 6);
    expect(callbacks.take().slice(3)).toEqual([
      `nack CDS ${r1.systemVersionInfo} "cluster c-b: bad timeout" from ${NODE}`,
      `response CDS ${r2.systemVersionInfo} [c-b]`,
      `ack CDS ${r2.systemVersionInfo} from ${NODE}`,
    ]);
  });

  it('initial_resource_versions: a reconnecting client gets only what it does not have', async () => {
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const d = openDelta(client);
    d.send({
      node: { id: NODE },
      typeUrl: CDS,
      resourceNamesSubscribe: ['*'],
      initialResourceVersions: { 'c-a': resourceVersion(CDS, 'c-a'), 'c-b': 'old', 'c-gone': 'old' },
    });
    const r1 = await verifyResponse(d, CDS, version(CDS), 1);
    expect(r1.resources.map((r) => r.name)).toEqual(['c-b']);
    expect(r1.removedResources).toEqual(['c-gone']);

    // Already up to date: the first wildcard response is still sent, empty, so Envoy finishes initializing.
    const again = openDelta(adsClient(ads.address));
    again.send({
      node: { id: NODE },
      typeUrl: LDS,
      resourceNamesSubscribe: ['*'],
      initialResourceVersions: { 'l-a': resourceVersion(LDS, 'l-a'), 'l-b': resourceVersion(LDS, 'l-b') },
    });
    const empty = await verifyResponse(again, LDS, version(LDS), 0);
    expect(empty.removedResources).toEqual([]);
  });

  it('a stale nonce is not an ACK, but its subscription change is served after the current ACK', async () => {
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const d = openDelta(client);
    d.send({ node: { id: NODE }, typeUrl: EDS, resourceNamesSubscribe: ['c-a'] });
    const r1 = await verifyResponse(d, EDS, version(EDS), 1);
    d.send({ typeUrl: EDS, responseNonce: r1.nonce });
    await eventually('the ACK', () => callbacks.events.some((e) => e.startsWith('ack')));

    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a', 2), oneOfEach('b'))));
    const r2 = await verifyResponse(d, EDS, version(EDS), 1);
    callbacks.take();

    d.send({ typeUrl: EDS, responseNonce: r1.nonce, resourceNamesSubscribe: ['c-b'], errorDetail: { message: 'late' } });
    await mustBlock(d, 'stale nonce');
    expect(callbacks.take()).toEqual([]);

    d.send({ typeUrl: EDS, responseNonce: r2.nonce });
    const r3 = await verifyResponse(d, EDS, version(EDS), 1);
    expect(r3.resources.map((r) => r.name)).toEqual(['c-b']);
    expect(callbacks.take()).toEqual([`ack EDS ${r2.systemVersionInfo} from ${NODE}`, `response EDS ${r3.systemVersionInfo} [c-b]`]);
  });

  it('unsubscribing "*" leaves wildcard mode: only explicit names remain', async () => {
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const d = openDelta(client);
    d.send({ node: { id: NODE }, typeUrl: CDS, resourceNamesSubscribe: ['*', 'c-a'] });
    const r1 = await verifyResponse(d, CDS, version(CDS), 2);
    d.send({ typeUrl: CDS, responseNonce: r1.nonce, resourceNamesUnsubscribe: ['*'] });
    await mustBlock(d, 'nothing changed for c-a');
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b', 2))));
    await mustBlock(d, 'c-b is no longer subscribed');
  });
});
