import { afterEach, describe, expect, it } from 'vitest';
import { startCaManager } from '../../../internal/ca/ca-manager';
import type { LabelContext } from '../../../internal/core/labels';
import { setupLogging } from '../../../internal/log/logger';
import { MemoryStore } from '../../../internal/store/memory-store';

setupLogging('warn');

const GLOBAL: LabelContext = { mode: 'global', federated: false, zoneName: '' };
const mtls = { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] };
const CERT = { type: 'Secret', mesh: 'demo', name: 'demo.ca-builtin-cert-ca-1' };
const KEY = { type: 'Secret', mesh: 'demo', name: 'demo.ca-builtin-key-ca-1' };

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('startCaManager', () => {
  const stops: (() => void)[] = [];
  afterEach(() => stops.splice(0).forEach((s) => s()));

  it('creates the CA of meshes present at start and of meshes created or switched to builtin later', async () => {
    const store = new MemoryStore();
    await store.create({ type: 'Mesh', mesh: '', name: 'demo', labels: {}, spec: { mtls } });
    stops.push(startCaManager({ store, ctx: GLOBAL, createCa: true }));
    await eventually(() => !!store.get(CERT) && !!store.get(KEY), 'the CA of demo');
    expect(store.get(CERT)!.labels).toEqual({ 'kuma.io/mesh': 'demo' });

    const later = await store.create({ type: 'Mesh', mesh: '', name: 'later', labels: {}, spec: {} });
    await new Promise((r) => setTimeout(r, 50));
    expect(store.list('Secret', { mesh: 'later' }).total).toBe(0);
    await store.update({ ...later, spec: { mtls } }, later.version);
    await eventually(() => !!store.get({ type: 'Secret', mesh: 'later', name: 'later.ca-builtin-key-ca-1' }), 'the CA of later');
  });

  it('recreates a deleted CA secret pair and labels secrets like the API on a standalone zone', async () => {
    const store = new MemoryStore();
    stops.push(startCaManager({ store, ctx: { mode: 'zone', federated: false, zoneName: 'z1' }, createCa: true }));
    await store.create({ type: 'Mesh', mesh: '', name: 'demo', labels: {}, spec: { mtls } });
    await eventually(() => !!store.get(KEY), 'the CA');
    expect(store.get(KEY)!.labels).toMatchObject({ 'kuma.io/mesh': 'demo', 'kuma.io/origin': 'zone', 'kuma.io/zone': 'z1' });
    const before = store.get(CERT)!.spec.data;
    await store.delete(KEY);
    await eventually(() => !!store.get(KEY), 'the recreated key');
    expect(store.get(CERT)!.spec.data).not.toBe(before);
  });

  it('creates nothing when createCa is false (federated zone: the CA comes from the global)', async () => {
    const store = new MemoryStore();
    stops.push(startCaManager({ store, ctx: GLOBAL, createCa: false }));
    await store.create({ type: 'Mesh', mesh: '', name: 'demo', labels: {}, spec: { mtls } });
    await new Promise((r) => setTimeout(r, 100));
    expect(store.list('Secret').total).toBe(0);
  });
});
