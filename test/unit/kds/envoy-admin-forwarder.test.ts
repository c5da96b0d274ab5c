import { describe, expect, it } from 'vitest';
import { EnvoyAdminForwarder, ForwardError, type ForwardedRequest } from '../../../internal/kds/global/envoy-admin-forwarder';

const req: ForwardedRequest = { resourceType: 'Dataplane', resourceName: 'web-1', resourceMesh: 'default' };

describe('EnvoyAdminForwarder', () => {
  it('correlates answers by request id, in any order', async () => {
    const f = new EnvoyAdminForwarder(1000);
    const sent: string[] = [];
    f.attach('east', 'stats', { features: new Set(), write: (r) => sent.push(r.requestId) });
    const a = f.request('east', 'stats', req);
    const b = f.request('east', 'stats', { ...req, resourceName: 'web-2' });
    expect(new Set(sent).size).toBe(2);
    f.onResponse('east', 'stats', sent[1]!, { bytes: Buffer.from('b') });
    f.onResponse('east', 'stats', sent[0]!, { bytes: Buffer.from('a') });
    expect([(await a).toString(), (await b).toString()]).toEqual(['a', 'b']);
    expect(f.pendingCount).toBe(0);
  });

  it('an answer from another zone or stream kind does not settle a request', async () => {
    const f = new EnvoyAdminForwarder(100);
    let id = '';
    f.attach('east', 'clusters', { features: new Set(), write: (r) => (id = r.requestId) });
    const p = f.request('east', 'clusters', req);
    f.onResponse('west', 'clusters', id, { bytes: Buffer.from('x') });
    f.onResponse('east', 'stats', id, { bytes: Buffer.from('x') });
    await expect(p).rejects.toMatchObject({ status: 503, message: 'zone "east" did not answer within 0.1s (KUMA_MULTIZONE_GLOBAL_KDS_ENVOY_ADMIN_TIMEOUT_MS)' });
    f.onResponse('east', 'clusters', id, { bytes: Buffer.from('late') }); // dropped
    expect(f.pendingCount).toBe(0);
  });

  it('a zone error is a 400 naming the zone; a disconnect fails what waits; offline and connected-without-stream differ', async () => {
    const connected = new Set(['east']);
    const f = new EnvoyAdminForwarder(1000, (z) => connected.has(z));
    let id = '';
    const detach = f.attach('east', 'configDump', { features: new Set(), write: (r) => (id = r.requestId) });
    const p = f.request('east', 'configDump', req);
    f.onResponse('east', 'configDump', id, { error: 'Dataplane "web-1" not found' });
    await expect(p).rejects.toEqual(new ForwardError(400, 'zone "east": Dataplane "web-1" not found'));
    await expect(f.request('east', 'configDump', { ...req, generatedConfig: true })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('does not advertise inspect-generated-config') });
    const waiting = f.request('east', 'configDump', req);
    detach();
    await expect(waiting).rejects.toMatchObject({ status: 503, message: expect.stringContaining('zone "east" disconnected before it answered') });
    await expect(f.request('east', 'configDump', req)).rejects.toMatchObject({ status: 503, message: expect.stringContaining('has no StreamXDSConfigs stream open') });
    connected.clear();
    await expect(f.request('east', 'configDump', req)).rejects.toMatchObject({ status: 503, message: expect.stringContaining('zone "east" is offline') });
  });

  it('a newer stream of a zone replaces the older one; detaching the older keeps the newer', async () => {
    const f = new EnvoyAdminForwarder(1000);
    const old = f.attach('east', 'stats', { features: new Set(), write: () => undefined });
    let id = '';
    f.attach('east', 'stats', { features: new Set(), write: (r) => (id = r.requestId) });
    old();
    expect(f.hasStream('east', 'stats')).toBe(true);
    const p = f.request('east', 'stats', req);
    f.onResponse('east', 'stats', id, { bytes: Buffer.from('ok') });
    expect((await p).toString()).toBe('ok');
  });
});
