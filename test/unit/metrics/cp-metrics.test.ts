import { describe, expect, it } from 'vitest';
import { CpMetrics } from '../../../internal/metrics/cp-metrics';
import { MeteredStore } from '../../../internal/metrics/metered-store';
import { XdsDeliveryTracker } from '../../../internal/metrics/xds-stats-callbacks';
import { MemoryStore } from '../../../internal/store/memory-store';
import { ConflictError } from '../../../internal/errors';
import { parsePromText, valueOf } from '../../support/prom-text';

const info = (zone: string, instanceId = `cp-${zone}`) => ({ instanceId, mode: zone ? 'zone' : 'global', zone, clusterId: () => 'c-1' });

describe('CpMetrics', () => {
  it('keeps one registry per CP, so two CPs of one process count apart', async () => {
    const a = new CpMetrics(info('zone-a'));
    const b = new CpMetrics(info('zone-b'));
    a.xds.confirmed('t', 'ACK');
    a.xds.confirmed('t', 'ACK');
    b.xds.confirmed('t', 'NACK');
    a.setLeader(false);
    const ea = parsePromText(await a.text());
    const eb = parsePromText(await b.text());
    expect(valueOf(ea, 'xds_requests_received', { type_url: 't', confirmation: 'ACK', zone: 'zone-a' })).toBe(2);
    expect(valueOf(ea, 'xds_requests_received', { confirmation: 'NACK' })).toBe(0);
    expect(valueOf(eb, 'xds_requests_received', { type_url: 't', confirmation: 'NACK', zone: 'zone-b' })).toBe(1);
    expect(valueOf(ea, 'leader')).toBe(0);
    expect(valueOf(eb, 'leader')).toBe(1);
    expect(valueOf(eb, 'cp_info', { instance_id: 'cp-zone-b', cluster_id: 'c-1', mode: 'zone' })).toBe(1);
  });

  it('times store writes by operation and type, counts conflicts, and reads resources_count at scrape time', async () => {
    const inner = new MemoryStore();
    const m = new CpMetrics(info('z'), { resourceCounts: () => [['Mesh', inner.count('Mesh')]] });
    const store = new MeteredStore(inner, m);
    await store.create({ type: 'Mesh', mesh: '', name: 'm1', labels: {}, spec: {} });
    await store.update({ type: 'Mesh', mesh: '', name: 'm1', labels: {}, spec: { a: 1 } }, 1);
    await expect(store.update({ type: 'Mesh', mesh: '', name: 'm1', labels: {}, spec: {} }, 1)).rejects.toBeInstanceOf(ConflictError);
    store.list('Mesh');
    const e = parsePromText(await m.text());
    expect(valueOf(e, 'store_count', { operation: 'create', resource_type: 'Mesh' })).toBe(1);
    expect(valueOf(e, 'store_count', { operation: 'update', resource_type: 'Mesh' })).toBe(2);
    expect(valueOf(e, 'store_count', { operation: 'list', resource_type: 'Mesh' })).toBe(1);
    expect(valueOf(e, 'store_conflicts', { resource_type: 'Mesh' })).toBe(1);
    expect(valueOf(e, 'resources_count', { resource_type: 'Mesh' })).toBe(1);
  });

  it('observes xds delivery from a snapshot to the first ACK after it and forgets nodes that leave', async () => {
    const m = new CpMetrics(info('z'));
    const t = new XdsDeliveryTracker(m.xds);
    const cb = t.callbacks();
    const node = { id: 'default.web-1' } as never;
    cb.onStreamOpen!({ streamId: 1, kind: 'delta', metadata: {} as never, peer: '' });
    t.configReady('default.web-1');
    t.configReady('default.gone');
    cb.onStreamRequest!(1, node, 'lds', { kind: 'request', version: '', nonce: '', resourceNames: [] });
    cb.onStreamRequest!(1, node, 'lds', { kind: 'ack', version: '1', nonce: '1', resourceNames: [] });
    cb.onStreamRequest!(1, node, 'cds', { kind: 'nack', version: '1', nonce: '2', resourceNames: [], errorDetail: 'bad' });
    cb.onStreamResponse!(1, 'lds', '1', [], []);
    cb.onStreamClose!(2, { id: 'default.gone' } as never);
    const e = parsePromText(await m.text());
    expect(valueOf(e, 'xds_delivery_count')).toBe(1);
    expect(valueOf(e, 'xds_requests_received', { type_url: 'lds', confirmation: 'ACK' })).toBe(1);
    expect(valueOf(e, 'xds_requests_received', { type_url: 'cds', confirmation: 'NACK' })).toBe(1);
    expect(valueOf(e, 'xds_responses_sent', { type_url: 'lds' })).toBe(1);
    expect(valueOf(e, 'xds_streams_active')).toBe(0);
    expect(t.inFlight).toBe(0);
  });
});

describe('parsePromText', () => {
  it('reads label escapes, +Inf and types', () => {
    const e = parsePromText('# TYPE x counter\nx{a="q\\"\\\\\\n",b="2"} 3\ny_bucket{le="+Inf"} 4\nz +Inf\n');
    expect(e.samples[0]).toEqual({ name: 'x', labels: { a: 'q"\\\n', b: '2' }, value: 3 });
    expect(e.samples[1]!.labels.le).toBe('+Inf');
    expect(e.samples[2]!.value).toBe(Infinity);
    expect(e.types.get('x')).toBe('counter');
    expect(() => parsePromText('x{a=1} 2')).toThrow(/bad label/);
  });
});
