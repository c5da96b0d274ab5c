/**
 * The per-proxy ACK ledger behind `_propagation`: a snapshot counts as ACKed only when every type
 * it holds is ACKed at its version (Envoy ACKs LDS, CDS, EDS... separately), NACKed when one of
 * them was rejected (Envoy's message kept), and its state goes with the proxy.
 */
import { describe, expect, it } from 'vitest';
import type { StreamCallbacks } from '../../../internal/xds/server/callbacks';
import { CLUSTER_TYPE_URL as CDS, ENDPOINT_TYPE_URL as EDS, LISTENER_TYPE_URL as LDS, ROUTE_TYPE_URL as RDS } from '../../../internal/xds/cache/resource-types';
import { ConfigAckLedger, snapshotVersions } from '../../../internal/xds/sync/config-acks';

type Node = Parameters<NonNullable<StreamCallbacks['onStreamRequest']>>[1];
const node = (id: string) => ({ id }) as Node;

function setup() {
  let now = 1000;
  const l = new ConfigAckLedger(() => now);
  const cb = l.callbacks();
  const answer = (id: string, typeUrl: string, version: string, error?: string, stream = 1) =>
    cb.onStreamRequest!(stream, node(id), typeUrl, { kind: error ? 'nack' : 'ack', version, nonce: 'n', resourceNames: [], ...(error ? { errorDetail: error } : {}) });
  return { l, cb, answer, tick: (ms: number) => (now += ms) };
}

describe('ConfigAckLedger', () => {
  it('counts a snapshot ACKed only when every type in it is ACKed at its version', () => {
    const { l, answer } = setup();
    l.built('n', 5, new Map([[LDS, 'v1'], [CDS, 'v1'], [EDS, 'v2']]));
    answer('n', LDS, 'v1');
    expect(l.state('n')).toMatchObject({ ackedSeq: 0, pendingSeq: 5, pendingTypes: [CDS, EDS] });
    expect(l.state('n')!.ackedAtMs).toBeUndefined();
    answer('n', CDS, 'v1');
    answer('n', EDS, 'v1'); // an older EDS version: not the snapshot's
    expect(l.state('n')).toMatchObject({ ackedSeq: 0, pendingTypes: [EDS] });
    answer('n', EDS, 'v2');
    expect(l.state('n')).toEqual({ ackedSeq: 5, ackedAtMs: 1000, pendingTypes: [] });
  });

  it('a NACK of one type marks the snapshot NACKed with Envoy’s message until a new version is ACKed', () => {
    const { l, answer } = setup();
    l.built('n', 3, new Map([[LDS, 'v1'], [CDS, 'v1']]));
    answer('n', CDS, 'v1');
    answer('n', LDS, 'v1', "cannot bind '127.0.0.1:8080': Address already in use");
    expect(l.state('n')).toMatchObject({ ackedSeq: 0, pendingTypes: [LDS], nack: { typeUrl: LDS, version: 'v1', error: "cannot bind '127.0.0.1:8080': Address already in use" } });
    // A newer snapshot: the old rejection is not about it.
    l.built('n', 4, new Map([[LDS, 'v2'], [CDS, 'v1']]));
    expect(l.state('n')!.nack).toBeUndefined();
    answer('n', LDS, 'v2');
    expect(l.state('n')).toMatchObject({ ackedSeq: 4, pendingTypes: [] });
  });

  it('a snapshot left as it was stands for the newer store state and keeps its ACK time', () => {
    const { l, answer, tick } = setup();
    l.built('n', 1, new Map([[LDS, 'v1']]));
    answer('n', LDS, 'v1');
    tick(500);
    l.built('n', 9);
    expect(l.state('n')).toEqual({ ackedSeq: 9, ackedAtMs: 1000, pendingTypes: [] });
    // Nothing set yet for another proxy: a rebuild without versions says nothing.
    l.built('m', 9);
    expect(l.state('m')).toBeUndefined();
  });

  it('a first request carrying a version (a reconnect) counts as running it; one without does not', () => {
    const { l, cb } = setup();
    l.built('n', 2, new Map([[LDS, 'v1'], [RDS, 'v1']]));
    cb.onStreamRequest!(1, node('n'), LDS, { kind: 'request', version: 'v1', nonce: '', resourceNames: [] });
    cb.onStreamRequest!(1, node('n'), RDS, { kind: 'request', version: '', nonce: '', resourceNames: [] });
    expect(l.state('n')).toMatchObject({ ackedSeq: 0, pendingTypes: [RDS] });
  });

  it('frees the proxy on forget', () => {
    const { l, answer } = setup();
    l.built('n', 1, new Map([[LDS, 'v1']]));
    answer('n', LDS, 'v1', undefined, 7);
    expect(l.sizes()).toEqual({ nodes: 1 });
    l.forget('n');
    expect(l.sizes()).toEqual({ nodes: 0 });
    expect(l.state('n')).toBeUndefined();
  });

  it('snapshotVersions keeps the types a snapshot holds resources of', () => {
    const snap = {
      typeUrls: () => [LDS, CDS, RDS],
      resources: (t: string) => ({ size: t === RDS ? 0 : 1 }),
      version: (t: string) => (t === LDS ? 'a' : 'b'),
    };
    expect([...snapshotVersions(snap)]).toEqual([[LDS, 'a'], [CDS, 'b']]);
  });
});

describe('ConfigAckLedger with Delta streams', () => {
  it('a type the cache had nothing to send for counts at its new version; a rejected one stays rejected', () => {
    const { l, answer } = setup();
    l.built('n', 1, new Map([[CDS, 'c1'], [EDS, 'e1'], [LDS, 'l1']]));
    answer('n', CDS, 'c1');
    answer('n', EDS, 'e1');
    answer('n', LDS, 'l1', 'cannot bind');
    // New snapshot: EDS moved only in names the proxy does not subscribe to (no response, no ACK),
    // LDS moved in names the proxy holds already (its rejected listener was not resent).
    l.upToDate('n', EDS, 'e2'); // the cache reports while setting the snapshot, before `built`
    l.upToDate('n', LDS, 'l2');
    l.built('n', 2, new Map([[CDS, 'c1'], [EDS, 'e2'], [LDS, 'l2']]));
    expect(l.state('n')).toMatchObject({ ackedSeq: 0, pendingTypes: [LDS], nack: { typeUrl: LDS, version: 'l2', error: 'cannot bind' } });
    answer('n', LDS, 'l3');
    l.built('n', 3, new Map([[CDS, 'c1'], [EDS, 'e2'], [LDS, 'l3']]));
    expect(l.state('n')).toMatchObject({ ackedSeq: 3, pendingTypes: [] });
  });

  it('a NACK after upToDate counted the version undoes it', () => {
    const { l, answer } = setup();
    l.built('n', 1, new Map([[LDS, 'l1']]));
    answer('n', LDS, 'l0');
    l.upToDate('n', LDS, 'l1');
    answer('n', LDS, 'l1', 'bad');
    expect(l.state('n')).toMatchObject({ pendingTypes: [LDS], nack: { version: 'l1' } });
  });
});
