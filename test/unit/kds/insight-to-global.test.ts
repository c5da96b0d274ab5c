/**
 * Insights a zone CP writes (DataplaneInsight, ZoneIngressInsight) reach the
 * global: what the zone's tracker stores (with the NACK text and SDS
 * counters, which Kuma's message has no field for) is mapped for the global
 * and must then encode into Kuma's protobuf message, keeping what the
 * message holds (status counters, versions, the certificate expiry).
 */
import { describe, expect, it } from 'vitest';
import { mapForGlobal } from '../../../internal/kds/mappers';
import { decodeResource, encodeResource, toWireResource } from '../../../internal/kds/wire';
import { registry } from '../../../internal/resources/types';
import { MemoryStore } from '../../../internal/store/memory-store';
import { DataplaneInsightTracker } from '../../../internal/xds/server/callbacks/dataplane-insight';
import { ProxyStreams } from '../../../internal/xds/server/callbacks/proxy-streams';

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const SDS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';

async function trackedInsight(kind: 'dataplane' | 'ingress') {
  const store = new MemoryStore();
  const type = kind === 'dataplane' ? 'Dataplane' : 'ZoneIngress';
  const mesh = kind === 'dataplane' ? 'default' : '';
  const spec = kind === 'dataplane' ? { networking: { address: '127.0.0.1', inbound: [{ port: 1, tags: { 'kuma.io/service': 'web' } }] } } : { networking: { address: '127.0.0.1', port: 10001 } };
  if (mesh) await store.create({ type: 'Mesh', mesh: '', name: mesh, labels: {}, spec: {} });
  await store.create({ type, mesh, name: 'p1', labels: {}, spec });
  const streams = new ProxyStreams();
  streams.open(1, 't');
  Object.assign(streams.get(1)!, { kind, mesh, name: 'p1' });
  const tracker = new DataplaneInsightTracker(store, streams, 'cp-1');
  const cb = tracker.callbacks();
  const node = { id: `${mesh}.p1`, metadata: { version: { kumaDp: { version: '2.14.0', gitTag: 'v', gitCommit: 'c', buildDate: 'd', extra: 'x' }, envoy: { version: '1.36.0', build: 'b', kumaDpCompatible: true } } } };
  const info = (k: 'ack' | 'nack', version: string, errorDetail?: string) => ({ kind: k, version, nonce: '1', errorDetail }) as never;
  cb.onStreamRequest!(1, node as never, CDS, { kind: 'request', version: '', nonce: '' } as never);
  cb.onStreamResponse!(1, CDS, 'v1', [], []);
  cb.onStreamRequest!(1, node as never, CDS, info('nack', 'v1', 'Proto constraint validation failed: bad cluster'));
  cb.onStreamResponse!(1, SDS, 'v1', [], []);
  cb.onStreamRequest!(1, node as never, SDS, info('ack', 'v1'));
  tracker.identityIssued(mesh, 'p1', { expiresAt: new Date('2030-01-01T00:00:00Z'), issuedAt: new Date('2029-12-01T00:00:00Z'), backend: 'ca-1' });
  await tracker.flush();
  const insight = store.get({ type: kind === 'dataplane' ? 'DataplaneInsight' : 'ZoneIngressInsight', mesh, name: 'p1' })!;
  return insight;
}

describe('zone insights on their way to the global', () => {
  for (const kind of ['dataplane', 'ingress'] as const) {
    it(`${kind}: the tracker's insight encodes into Kuma's message and keeps its status`, async () => {
      const insight = await trackedInsight(kind);
      const sub = (insight.spec.subscriptions as Record<string, any>[])[0]!;
      // Locally the zone keeps what Kuma's message has no field for.
      expect(sub.status.cds.lastRejectedError).toContain('bad cluster');
      expect(sub.status.sds).toBeDefined();
      const d = registry.mustByName(insight.type);
      const mapped = mapForGlobal(insight, 'zone-1');
      const back = decodeResource(d, toWireResource(encodeResource(d, mapped)));
      const s = (back.spec.subscriptions as Record<string, any>[])[0]!;
      expect(s.controlPlaneInstanceId).toBe('cp-1');
      expect(s.connectTime).toBe(sub.connectTime);
      expect(s.status.total).toEqual({ responsesSent: '2', responsesAcknowledged: '1', responsesRejected: '1' });
      expect(s.status.cds).toEqual({ responsesSent: '1', responsesRejected: '1' });
      expect(s.status.sds).toBeUndefined();
      expect(s.version.kumaDp).toEqual({ version: '2.14.0', gitTag: 'v', gitCommit: 'c', buildDate: 'd' });
      expect(s.version.envoy.version).toBe('1.36.0');
      if (kind === 'dataplane') expect(back.spec.mTLS).toMatchObject({ certificateExpirationTime: '2030-01-01T00:00:00Z', issuedBackend: 'ca-1' });
    });
  }

  it('without the fit the same insight does not encode (the bug this guards)', async () => {
    const insight = await trackedInsight('dataplane');
    const d = registry.mustByName(insight.type);
    expect(() => encodeResource(d, { ...insight, labels: {} })).toThrow(/unknown field/);
  });
});
