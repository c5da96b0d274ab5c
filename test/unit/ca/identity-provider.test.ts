import { X509Certificate } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ensureMeshCa } from '../../../internal/ca/builtin-ca';
import { IdentityProvider, proxyIdentityInputs } from '../../../internal/ca/identity-provider';
import { CaNotReadyError } from '../../../internal/ca/mesh-ca';
import type { Resource } from '../../../internal/resources/model';
import { MemoryStore } from '../../../internal/store/memory-store';

const HOUR = 3_600_000;
const T0 = new Date('2026-05-01T00:00:00Z').getTime();
const mtls = (expiration?: string) => ({
  enabledBackend: 'ca-1',
  backends: [{ name: 'ca-1', type: 'builtin', ...(expiration ? { dpCert: { rotation: { expiration } } } : {}) }],
});

function dataplane(name: string, services: string[], extra: Record<string, string> = {}): Resource {
  return {
    type: 'Dataplane',
    mesh: 'demo',
    name,
    version: 1,
    creationTime: '',
    modificationTime: '',
    labels: {},
    spec: { networking: { address: '10.0.0.1', inbound: services.map((s, i) => ({ port: 8080 + i, tags: { 'kuma.io/service': s, ...extra } })) } },
  };
}

describe('IdentityProvider', () => {
  let store: MemoryStore;
  let now: number;
  let provider: IdentityProvider;
  let mesh: Resource;

  beforeEach(async () => {
    store = new MemoryStore();
    now = T0;
    provider = new IdentityProvider({ store, now: () => new Date(now), defaultValidityMs: 24 * HOUR });
    mesh = await store.create({ type: 'Mesh', mesh: '', name: 'demo', labels: {}, spec: { mtls: mtls() } });
  });

  it('answers undefined when mTLS is off and CaNotReadyError before the CA exists', async () => {
    await store.create({ type: 'Mesh', mesh: '', name: 'plain', labels: {}, spec: {} });
    expect(await provider.getIdentity('plain', dataplane('a', ['web']))).toBeUndefined();
    await expect(provider.getIdentity('demo', dataplane('a', ['web']))).rejects.toBeInstanceOf(CaNotReadyError);
  });

  it('issues a cert for the proxy signed by the mesh CA and says when to renew', async () => {
    await store.transact(await ensureMeshCa(store, mesh));
    const id = (await provider.getIdentity('demo', dataplane('a', ['web'], { version: 'v1' })))!;
    expect(id.sans).toEqual(['spiffe://demo/web', 'kuma://kuma.io/service/web', 'kuma://version/v1']);
    expect(new X509Certificate(id.certPem).verify(new X509Certificate(id.caPem).publicKey)).toBe(true);
    expect(id.issuedAt.getTime()).toBe(T0);
    expect(id.expiresAt.getTime()).toBe(T0 + 24 * HOUR);
    expect(id.renewAt.getTime()).toBe(T0 + 19.2 * HOUR);
    expect(provider.meshCaPem('demo')).toBe(id.caPem);
  });

  it('reuses the cert until renewAt, then issues a new one', async () => {
    await store.transact(await ensureMeshCa(store, mesh));
    const dp = dataplane('a', ['web']);
    const first = (await provider.getIdentity('demo', dp))!;
    now = T0 + 19 * HOUR;
    expect((await provider.getIdentity('demo', dp))!.serial).toBe(first.serial);
    now = first.renewAt.getTime();
    const second = (await provider.getIdentity('demo', dp))!;
    expect(second.serial).not.toBe(first.serial);
    expect(second.issuedAt.getTime()).toBe(now);
  });

  it('reissues when the services, the CA or the validity change, and after forget', async () => {
    await store.transact(await ensureMeshCa(store, mesh));
    const a = (await provider.getIdentity('demo', dataplane('a', ['web'])))!;
    const b = (await provider.getIdentity('demo', dataplane('a', ['web', 'admin'])))!;
    expect(b.serial).not.toBe(a.serial);
    expect(b.sans).toContain('spiffe://demo/admin');

    const m = store.get({ type: 'Mesh', mesh: '', name: 'demo' })!;
    await store.update({ ...m, spec: { mtls: mtls('2h') } }, m.version);
    const c = (await provider.getIdentity('demo', dataplane('a', ['web', 'admin'])))!;
    expect(c.expiresAt.getTime() - c.issuedAt.getTime()).toBe(2 * HOUR);

    await store.delete({ type: 'Secret', mesh: 'demo', name: 'demo.ca-builtin-key-ca-1' });
    await store.transact(await ensureMeshCa(store, store.get({ type: 'Mesh', mesh: '', name: 'demo' })!));
    const d = (await provider.getIdentity('demo', dataplane('a', ['web', 'admin'])))!;
    expect(d.caPem).not.toBe(c.caPem);

    provider.forget('demo', dataplane('a', []));
    expect((await provider.getIdentity('demo', dataplane('a', ['web', 'admin'])))!.serial).not.toBe(d.serial);
  });

  it('shares one issuance between concurrent calls for the same proxy', async () => {
    await store.transact(await ensureMeshCa(store, mesh));
    const dp = dataplane('a', ['web']);
    const [x, y] = await Promise.all([provider.getIdentity('demo', dp), provider.getIdentity('demo', dp)]);
    expect(x!.serial).toBe(y!.serial);
  });

  it('gives a zone egress the zone-egress identity', () => {
    const egress = { ...dataplane('e', []), type: 'ZoneEgress', mesh: '' };
    expect(proxyIdentityInputs(egress)).toEqual({ services: ['zone-egress'], tags: {} });
  });

  it('reads a provided CA from secrets', async () => {
    const other = new MemoryStore();
    const ca = (await ensureMeshCa(other, mesh)).map((o) => (o.op === 'delete' ? '' : String(o.resource.spec.data)));
    await store.create({ type: 'Secret', mesh: 'demo', name: 'my-cert', labels: {}, spec: { data: ca[0] } });
    await store.create({ type: 'Secret', mesh: 'demo', name: 'my-key', labels: {}, spec: { data: ca[1] } });
    const m = store.get({ type: 'Mesh', mesh: '', name: 'demo' })!;
    const provided = { enabledBackend: 'p', backends: [{ name: 'p', type: 'provided', conf: { cert: { secret: 'my-cert' }, key: { secret: 'my-key' } } }] };
    await store.update({ ...m, spec: { mtls: provided } }, m.version);
    const id = (await provider.getIdentity('demo', dataplane('a', ['web'])))!;
    expect(id.caPem).toBe(Buffer.from(ca[0]!, 'base64').toString());
  });
});
