import { describe, expect, it } from 'vitest';
import type { DeltaWatchResponse, WatchResponse } from '../../../internal/xds/cache/cache';
import {
  ADS_ORDER,
  CLUSTER_TYPE_URL as CDS,
  ENDPOINT_TYPE_URL as EDS,
  LISTENER_TYPE_URL as LDS,
  ROUTE_TYPE_URL as RDS,
  SECRET_TYPE_URL as SDS,
} from '../../../internal/xds/cache/resource-types';
import { InconsistentSnapshotError, Snapshot } from '../../../internal/xds/cache/snapshot';
import { SnapshotCache } from '../../../internal/xds/cache/snapshot-cache';
import {
  CLUSTER_KIND,
  ENDPOINT_KIND,
  LISTENER_KIND,
  ROUTE_KIND,
  SECRET_KIND,
  encodeResource,
  snapshotFromResources,
} from '../../../internal/xds/cache/snapshot-resources';
import {
  apiListener,
  edsCluster,
  loadAssignment,
  merge,
  oneOfEach,
  routeConfig,
  staticCluster,
  tcpListener,
  xdsResources,
} from '../fixtures';

const NODE = 'default.web-1';
const NONE: ReadonlySet<string> = new Set();

function names(resources: ReadonlyMap<string, unknown> | readonly { name: string }[]): string[] {
  return resources instanceof Map ? [...resources.keys()] : (resources as { name: string }[]).map((r) => r.name);
}

describe('resource kinds', () => {
  it('use the five type URLs in ADS order CDS, EDS, LDS, RDS, SDS', () => {
    expect([CLUSTER_KIND, ENDPOINT_KIND, LISTENER_KIND, ROUTE_KIND, SECRET_KIND].map((k) => k.typeUrl)).toEqual([...ADS_ORDER]);
    expect(ADS_ORDER).toEqual([
      'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
      'type.googleapis.com/envoy.config.listener.v3.Listener',
      'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
      'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
    ]);
  });
});

describe('snapshotFromResources', () => {
  it('indexes every type by name and follows EDS and RDS references', () => {
    const snap = snapshotFromResources(
      xdsResources({
        clusters: [edsCluster('a'), edsCluster('b', { serviceName: 'b-eds' }), staticCluster('s')],
        endpoints: [loadAssignment('a', [1]), loadAssignment('b-eds', [2])],
        listeners: [apiListener('svc.test', 'rc-svc'), tcpListener('tcp', 9000, 'a')],
        routes: [routeConfig('rc-svc', 'svc.test', 'a')],
      }),
    );
    expect(snap.typeUrls()).toEqual([CDS, EDS, LDS, RDS, SDS]);
    expect(names(snap.resources(CDS))).toEqual(['a', 'b', 's']);
    expect(snap.resources(CDS).get('a')!.references).toEqual(['a']);
    expect(snap.resources(CDS).get('b')!.references).toEqual(['b-eds']);
    expect(snap.resources(CDS).get('s')!.references).toEqual([]);
    expect(snap.resources(LDS).get('svc.test')!.references).toEqual(['rc-svc']);
    expect(snap.resources(LDS).get('tcp')!.references).toEqual([]);
    expect(snap.resources(SDS).size).toBe(0);
    expect(snap.version(CDS)).toBe('');
    expect(snap.consistent()).toBeUndefined();
  });

  it('encodes a message object once, however many snapshots hold it', () => {
    const shared = edsCluster('shared');
    const r1 = snapshotFromResources(xdsResources({ clusters: [shared], endpoints: [loadAssignment('shared', [1])] }));
    const r2 = snapshotFromResources(xdsResources({ clusters: [shared], endpoints: [loadAssignment('shared', [1])] }));
    const c1 = r1.resources(CDS).get('shared')!;
    const c2 = r2.resources(CDS).get('shared')!;
    expect(c2).toBe(c1);
    expect(c2.resource.value).toBe(c1.resource.value);
    // Equal contents in different objects: encoded twice, but byte-equal, so the same version.
    const e1 = r1.resources(EDS).get('shared')!;
    const e2 = r2.resources(EDS).get('shared')!;
    expect(e2).not.toBe(e1);
    expect(e2.version).toBe(e1.version);
    expect(Buffer.compare(e2.resource.value, e1.resource.value)).toBe(0);
  });

  it('gives different versions to different contents', () => {
    expect(encodeResource(CLUSTER_KIND, edsCluster('a', { connectTimeoutSeconds: 1 })).version).not.toBe(
      encodeResource(CLUSTER_KIND, edsCluster('a', { connectTimeoutSeconds: 2 })).version,
    );
  });

  it('refuses two different resources with one name', () => {
    expect(() => snapshotFromResources(xdsResources({ clusters: [staticCluster('a'), edsCluster('a')] }))).toThrow(
      'two different resources named "a" of type type.googleapis.com/envoy.config.cluster.v3.Cluster in one snapshot',
    );
  });
});

describe('Snapshot.consistent', () => {
  it('names every missing EDS and RDS resource and who refers to it', () => {
    const snap = snapshotFromResources(
      xdsResources({
        clusters: [edsCluster('a'), edsCluster('b', { serviceName: 'b-eds' })],
        endpoints: [loadAssignment('a', [1])],
        listeners: [apiListener('svc.test', 'rc-svc')],
      }),
    );
    const err = snap.consistent();
    expect(err).toBeInstanceOf(InconsistentSnapshotError);
    expect(err!.problems).toEqual([
      'cluster "b" refers to ClusterLoadAssignment (EDS) "b-eds", which is not in the snapshot',
      'listener "svc.test" refers to RouteConfiguration (RDS) "rc-svc", which is not in the snapshot',
    ]);
    expect(err!.code).toBe('KUMA_INTERNAL');
  });

  it('allows unreferenced EDS and RDS resources', () => {
    const snap = snapshotFromResources(xdsResources({ endpoints: [loadAssignment('x', [1])], routes: [routeConfig('r', 'd', 'x')] }));
    expect(snap.consistent()).toBeUndefined();
  });
});

describe('SnapshotCache versions', () => {
  it('assigns a version per type, keeps it for byte-equal contents and moves it on change', () => {
    const cache = new SnapshotCache({ versionPrefix: 'v' });
    const first = cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    expect(ADS_ORDER.map((t) => first.version(t))).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);

    // New objects, same bytes: nothing moves.
    const same = cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    expect(ADS_ORDER.map((t) => same.version(t))).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);

    // Only the secret changes.
    const a = oneOfEach('a');
    const secretOnly = cache.setSnapshot(NODE, snapshotFromResources({ ...a, secrets: oneOfEach('a', 2).secrets }));
    expect(ADS_ORDER.map((t) => secretOnly.version(t))).toEqual(['v1', 'v2', 'v3', 'v4', 'v6']);
    expect(cache.getSnapshot(NODE)).toBe(secretOnly);
  });

  it('forces a new EDS version when CDS changes, as Kuma reconcile.go does', () => {
    const cache = new SnapshotCache({ versionPrefix: 'v' });
    const a = oneOfEach('a');
    cache.setSnapshot(NODE, snapshotFromResources(a));
    const next = cache.setSnapshot(NODE, snapshotFromResources({ ...a, clusters: [edsCluster('c-a', { connectTimeoutSeconds: 9 })] }));
    expect(ADS_ORDER.map((t) => next.version(t))).toEqual(['v6', 'v7', 'v3', 'v4', 'v5']);
  });

  it('refuses an inconsistent snapshot and keeps the previous one', () => {
    const cache = new SnapshotCache({ versionPrefix: 'v' });
    const good = cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    expect(() => cache.setSnapshot(NODE, snapshotFromResources(xdsResources({ clusters: [edsCluster('x')] })))).toThrow(
      'inconsistent xDS snapshot: cluster "x" refers to ClusterLoadAssignment (EDS) "x", which is not in the snapshot',
    );
    expect(cache.getSnapshot(NODE)).toBe(good);
  });

  it('uses a random prefix by default so two caches never share versions', () => {
    const v1 = new SnapshotCache().setSnapshot(NODE, snapshotFromResources(oneOfEach('a'))).version(CDS);
    const v2 = new SnapshotCache().setSnapshot(NODE, snapshotFromResources(oneOfEach('a'))).version(CDS);
    expect(v1).not.toBe(v2);
  });
});

describe('SnapshotCache SotW watches', () => {
  it('answers at once when the request version differs, else when the snapshot changes', () => {
    const cache = new SnapshotCache({ versionPrefix: 'v' });
    const got: WatchResponse[] = [];
    // No snapshot yet: the watch waits.
    cache.createWatch({ nodeId: NODE, typeUrl: LDS, versionInfo: '', resourceNames: [], delivered: NONE }, (r) => got.push(r));
    expect(cache.watchCount(NODE)).toBe(1);
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    expect(got.map((r) => [r.version, names(r.resources)])).toEqual([['v3', ['l-a']]]);
    expect(cache.watchCount()).toBe(0);

    // Up to date: waits; an unrelated change (SDS) does not answer it; an LDS change does.
    cache.createWatch({ nodeId: NODE, typeUrl: LDS, versionInfo: 'v3', resourceNames: [], delivered: NONE }, (r) => got.push(r));
    cache.setSnapshot(NODE, snapshotFromResources({ ...oneOfEach('a'), secrets: [] }));
    expect(got).toHaveLength(1);
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    expect(got.map((r) => [r.version, names(r.resources)])).toEqual([
      ['v3', ['l-a']],
      ['v9', ['l-a', 'l-b']],
    ]);
  });

  it('answers only the requested names, and a requested name not yet delivered at the same version', () => {
    const cache = new SnapshotCache({ versionPrefix: 'v' });
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const got: WatchResponse[] = [];
    cache.createWatch({ nodeId: NODE, typeUrl: RDS, versionInfo: '', resourceNames: ['r-a', 'r-missing'], delivered: NONE }, (r) => got.push(r));
    expect(names(got[0].resources)).toEqual(['r-a']);
    // Same version, same names delivered: waits.
    const cancel = cache.createWatch(
      { nodeId: NODE, typeUrl: RDS, versionInfo: 'v4', resourceNames: ['r-a'], delivered: new Set(['r-a']) },
      (r) => got.push(r),
    );
    expect(got).toHaveLength(1);
    cancel();
    expect(cache.watchCount(NODE)).toBe(0);
    // Same version, a new name: answered with every requested name.
    cache.createWatch(
      { nodeId: NODE, typeUrl: RDS, versionInfo: 'v4', resourceNames: ['r-a', 'r-b'], delivered: new Set(['r-a']) },
      (r) => got.push(r),
    );
    expect(got.map((r) => [r.version, names(r.resources)])).toEqual([
      ['v4', ['r-a']],
      ['v4', ['r-a', 'r-b']],
    ]);
  });

  it('after a wildcard response everything at that version counts as delivered; a new stream gets named resources again', () => {
    const cache = new SnapshotCache({ versionPrefix: 'v' });
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const got: WatchResponse[] = [];
    cache.createWatch({ nodeId: NODE, typeUrl: CDS, versionInfo: 'v1', resourceNames: ['c-a', 'c-b'], delivered: 'all' }, (r) => got.push(r));
    expect(got).toHaveLength(0);
    // A resumed stream (nothing sent yet) asking by name at the current version is answered...
    cache.createWatch({ nodeId: NODE, typeUrl: EDS, versionInfo: 'v2', resourceNames: ['c-a'], delivered: NONE }, (r) => got.push(r));
    expect(got.map((r) => [r.version, names(r.resources)])).toEqual([['v2', ['c-a']]]);
    // ...a resumed wildcard request is not.
    cache.createWatch({ nodeId: NODE, typeUrl: LDS, versionInfo: 'v3', resourceNames: [], delivered: NONE }, (r) => got.push(r));
    expect(got).toHaveLength(1);
  });

  it('treats no names as wildcard for LDS and CDS only; no EDS/RDS/SDS names means nothing to send', () => {
    const cache = new SnapshotCache({ versionPrefix: 'v' });
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const got: string[] = [];
    const record = (r: WatchResponse) => got.push(`${r.typeUrl.split('.').pop()} ${names(r.resources).join(',')}`);
    for (const typeUrl of ADS_ORDER) {
      cache.createWatch({ nodeId: NODE, typeUrl, versionInfo: '', resourceNames: [], delivered: NONE }, record);
    }
    expect(got).toEqual(['Cluster c-a,c-b', 'Listener l-a,l-b']);
    cache.createWatch({ nodeId: NODE, typeUrl: SDS, versionInfo: '', resourceNames: ['*'], delivered: NONE }, record);
    expect(got).toEqual(['Cluster c-a,c-b', 'Listener l-a,l-b', 'Secret s-a,s-b']);
  });

  it('answers watches due together in ADS order', () => {
    const cache = new SnapshotCache({ versionPrefix: 'v' });
    const order: string[] = [];
    for (const typeUrl of [...ADS_ORDER].reverse()) {
      cache.createWatch({ nodeId: NODE, typeUrl, versionInfo: '', resourceNames: ['*'], delivered: NONE }, (r) => order.push(r.typeUrl));
    }
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    expect(order).toEqual([...ADS_ORDER]);
  });

  it('never answers a type the snapshot does not hold', () => {
    const cache = new SnapshotCache({ versionPrefix: 'v' });
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a')));
    const scoped = 'type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration';
    let answered = false;
    cache.createWatch({ nodeId: NODE, typeUrl: scoped, versionInfo: '', resourceNames: [], delivered: NONE }, () => (answered = true));
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('a', 2)));
    expect(answered).toBe(false);
  });
});

describe('SnapshotCache Delta watches', () => {
  const fresh = { wildcard: true, subscribed: new Set<string>(), known: new Map(), first: true };

  it('sends the first wildcard response even when empty, then only differences', () => {
    const cache = new SnapshotCache({ versionPrefix: 'v' });
    cache.setSnapshot(NODE, snapshotFromResources(xdsResources({})));
    const got: DeltaWatchResponse[] = [];
    cache.createDeltaWatch({ nodeId: NODE, typeUrl: CDS }, fresh, (r) => got.push(r));
    expect(got).toHaveLength(1);
    expect(got[0].resources).toEqual([]);

    const state = { ...fresh, known: got[0].nextKnown, first: false };
    cache.createDeltaWatch({ nodeId: NODE, typeUrl: CDS }, state, (r) => got.push(r));
    expect(got).toHaveLength(1); // nothing differs: waits
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    expect(names(got[1].resources)).toEqual(['c-a', 'c-b']);
    // The client's view after a wildcard response is the snapshot's own map (no copy per stream).
    expect(got[1].nextKnown).toBe(cache.getSnapshot(NODE)!.resources(CDS));

    cache.createDeltaWatch({ nodeId: NODE, typeUrl: CDS }, { ...state, known: got[1].nextKnown }, (r) => got.push(r));
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a', 2), oneOfEach('c'))));
    expect(names(got[2].resources)).toEqual(['c-a', 'c-c']);
    expect(got[2].removed).toEqual(['c-b']);
  });

  it('explicit subscriptions see only their names; a missing known name is removed', () => {
    const cache = new SnapshotCache({ versionPrefix: 'v' });
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const got: DeltaWatchResponse[] = [];
    const state = { wildcard: false, subscribed: new Set(['c-a', 'c-x']), known: new Map(), first: true };
    cache.createDeltaWatch({ nodeId: NODE, typeUrl: EDS }, state, (r) => got.push(r));
    expect(names(got[0].resources)).toEqual(['c-a']);
    expect([...got[0].nextKnown.keys()]).toEqual(['c-a']);

    cache.createDeltaWatch({ nodeId: NODE, typeUrl: EDS }, { ...state, known: got[0].nextKnown, first: false }, (r) => got.push(r));
    cache.setSnapshot(NODE, snapshotFromResources(oneOfEach('b', 2))); // c-a gone, c-b changed (not subscribed)
    expect(got[1].resources).toEqual([]);
    expect(got[1].removed).toEqual(['c-a']);
  });
});

describe('SnapshotCache onDeltaUpToDate', () => {
  it('reports a Delta watch that has nothing to send for a new version (no response, so no ACK will say it)', () => {
    const seen: string[] = [];
    const cache = new SnapshotCache({ versionPrefix: 'v', onDeltaUpToDate: (n, t, v) => seen.push(`${n} ${t === EDS ? 'EDS' : t} ${v}`) });
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b'))));
    const got: DeltaWatchResponse[] = [];
    const state = { wildcard: false, subscribed: new Set(['c-a']), known: new Map(), first: true };
    cache.createDeltaWatch({ nodeId: NODE, typeUrl: EDS }, state, (r) => got.push(r));
    expect(seen).toEqual([]); // it had something to send
    cache.createDeltaWatch({ nodeId: NODE, typeUrl: EDS }, { ...state, known: got[0]!.nextKnown, first: false }, (r) => got.push(r));
    const v1 = cache.getSnapshot(NODE)!.version(EDS);
    expect(seen).toEqual([`${NODE} EDS ${v1}`]);
    // c-b changes, which the watch does not subscribe to: a new EDS version, nothing sent.
    cache.setSnapshot(NODE, snapshotFromResources(merge(oneOfEach('a'), oneOfEach('b', 2))));
    const v2 = cache.getSnapshot(NODE)!.version(EDS);
    expect(v2).not.toBe(v1);
    expect(got).toHaveLength(1);
    expect(seen.at(-1)).toBe(`${NODE} EDS ${v2}`);
  });
});

describe('Snapshot', () => {
  it('holds extra type URLs after the known ones', () => {
    const extra = 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig';
    const snap = new Snapshot([[extra, []]]);
    expect(snap.typeUrls()).toEqual([...ADS_ORDER, extra]);
  });
});
