// 200 Delta ADS clients on loopback, one connection each, all fed one shared cluster: one
// endpoint change must reach every one of them. No timing assertions; the generous waits only
// bound a hung run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeltaDiscoveryResponse } from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import { CLUSTER_TYPE_URL as CDS, ENDPOINT_TYPE_URL as EDS } from '../../../internal/xds/cache/resource-types';
import { SnapshotCache } from '../../../internal/xds/cache/snapshot-cache';
import { snapshotFromResources } from '../../../internal/xds/cache/snapshot-resources';
import { edsCluster, loadAssignment, tcpListener, xdsResources } from '../fixtures';
import { type AdsClient, type DeltaClient, type RunningAds, adsClient, eventually, mustBlock, openDelta, startAds } from './ads-harness';

const CLIENTS = 200;
const WAIT_MS = 20_000;

const nodeId = (i: number) => `default.dp-${i}`;

let cache: SnapshotCache;
let ads: RunningAds;
const channels: AdsClient[] = [];
const streams: DeltaClient[] = [];

// What a MeshContext would share between proxies: one cluster and one endpoint set for service "web".
const webCluster = edsCluster('web');
let webEndpoints = loadAssignment('web', [8001]);

function setSnapshots(): void {
  for (let i = 0; i < CLIENTS; i++) {
    cache.setSnapshot(
      nodeId(i),
      snapshotFromResources(
        xdsResources({ clusters: [webCluster], endpoints: [webEndpoints], listeners: [tcpListener(`outbound-${i}`, 10000 + i, 'web')] }),
      ),
    );
  }
}

async function expectResponse(stream: DeltaClient, what: string): Promise<DeltaDiscoveryResponse> {
  const res = await stream.next(WAIT_MS);
  if (!res) throw new Error(`expected ${what} within ${WAIT_MS} ms, got none`);
  return res;
}

beforeAll(async () => {
  cache = new SnapshotCache();
  ads = await startAds({ cache });
  setSnapshots();
  for (let i = 0; i < CLIENTS; i++) {
    const channel = adsClient(ads.address);
    channels.push(channel);
    const stream = openDelta(channel);
    streams.push(stream);
    stream.send({ node: { id: nodeId(i) }, typeUrl: CDS, resourceNamesSubscribe: ['*'] });
    stream.send({ typeUrl: EDS, resourceNamesSubscribe: ['web'] });
  }
  await Promise.all(
    streams.map(async (stream, i) => {
      for (let n = 0; n < 2; n++) {
        const res = await expectResponse(stream, `the initial CDS and EDS responses of client ${i}`);
        stream.send({ typeUrl: res.typeUrl, responseNonce: res.nonce });
      }
    }),
  );
  await eventually(`${CLIENTS * 2} open watches (every client ACKed)`, () => cache.watchCount() === CLIENTS * 2, WAIT_MS);
}, 60_000);

afterAll(() => {
  for (const channel of channels) channel.close();
  ads?.stop();
});

describe(`${CLIENTS} concurrent Delta ADS clients`, () => {
  it('shares the encoded bytes of the per-service resources between all proxies', () => {
    const first = cache.getSnapshot(nodeId(0))!;
    for (let i = 1; i < CLIENTS; i++) {
      const snapshot = cache.getSnapshot(nodeId(i))!;
      expect(snapshot.resources(EDS).get('web')).toBe(first.resources(EDS).get('web'));
      expect(snapshot.resources(CDS).get('web')).toBe(first.resources(CDS).get('web'));
    }
  });

  it('one endpoint change reaches every client, as the changed resource only', async () => {
    webEndpoints = loadAssignment('web', [8001, 8002]);
    setSnapshots();
    const newVersion = cache.getSnapshot(nodeId(0))!.resources(EDS).get('web')!.version;

    const received = await Promise.all(
      streams.map(async (stream, i) => {
        const res = await expectResponse(stream, `the EDS push to client ${i}`);
        stream.send({ typeUrl: res.typeUrl, responseNonce: res.nonce });
        return res;
      }),
    );
    expect(received).toHaveLength(CLIENTS);
    for (const res of received) {
      expect(res.typeUrl).toBe(EDS);
      expect(res.resources.map((r) => `${r.name}@${r.version}`)).toEqual([`web@${newVersion}`]);
      expect(res.removedResources).toEqual([]);
    }
    // CDS did not change, so (unlike SotW, where EDS is re-versioned with CDS) nothing else is sent.
    await mustBlock(streams[0], 'only EDS changed');
    await eventually('every client ACKed the push', () => cache.watchCount() === CLIENTS * 2, WAIT_MS);
  }, 60_000);
});
