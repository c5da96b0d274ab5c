/**
 * The ResourceStore contract, run against every implementation. A store that
 * passes this suite may back the control plane.
 */
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import type { ResourceStore, StoreEvent } from '../../../internal/store/resource-store';

export interface StoreFactory {
  /** A fresh, empty store. */
  create(): Promise<ResourceStore>;
  /** Closes the store and opens it again over the same state, when the store is persistent. */
  reopen?(s: ResourceStore): Promise<ResourceStore>;
}

const dp = (name: string, mesh = 'default', labels: Record<string, string> = {}) => ({
  type: 'Dataplane',
  mesh,
  name,
  labels,
  spec: { networking: { address: '127.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': name } }] } },
});

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`ResourceStore contract: ${name}`, () => {
    let s: ResourceStore;
    beforeEach(async () => {
      s = await factory.create();
    });
    afterEach(async () => {
      await s.close();
    });

    it('creates with version 1 and equal creation/modification times', async () => {
      const r = await s.create(dp('a'));
      expect(r.version).toBe(1);
      expect(r.creationTime).toBe(r.modificationTime);
      expect(r.creationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(s.get({ type: 'Dataplane', mesh: 'default', name: 'a' })).toEqual(r);
    });

    it('refuses to create an existing key', async () => {
      await s.create(dp('a'));
      await expect(s.create(dp('a'))).rejects.toMatchObject({ code: 'KUMA_ALREADY_EXISTS', message: 'resource already exists: type="Dataplane" name="a" mesh="default"' });
    });

    it('updates bump the version and keep creationTime', async () => {
      const r1 = await s.create(dp('a'));
      await new Promise((r) => setTimeout(r, 5));
      const r2 = await s.update({ ...dp('a'), labels: { x: 'y' } }, 1);
      expect(r2.version).toBe(2);
      expect(r2.creationTime).toBe(r1.creationTime);
      expect(r2.modificationTime > r1.modificationTime).toBe(true);
      expect(r2.labels).toEqual({ x: 'y' });
    });

    it('a stale update is a conflict and changes nothing', async () => {
      await s.create(dp('a'));
      await s.update(dp('a'), 1);
      await expect(s.update({ ...dp('a'), labels: { stale: 'yes' } }, 1)).rejects.toMatchObject({ code: 'KUMA_CONFLICT', message: 'resource conflict: type="Dataplane" name="a" mesh="default"' });
      expect(s.get({ type: 'Dataplane', mesh: 'default', name: 'a' })!.version).toBe(2);
      expect(s.get({ type: 'Dataplane', mesh: 'default', name: 'a' })!.labels).toEqual({});
    });

    it('update and delete of a missing key are not found', async () => {
      await expect(s.update(dp('nope'))).rejects.toMatchObject({ code: 'KUMA_NOT_FOUND' });
      await expect(s.delete({ type: 'Dataplane', mesh: 'default', name: 'nope' })).rejects.toMatchObject({ code: 'KUMA_NOT_FOUND' });
    });

    it('delete with a stale version is a conflict', async () => {
      await s.create(dp('a'));
      await s.update(dp('a'));
      await expect(s.delete({ type: 'Dataplane', mesh: 'default', name: 'a' }, 1)).rejects.toMatchObject({ code: 'KUMA_CONFLICT' });
      await s.delete({ type: 'Dataplane', mesh: 'default', name: 'a' }, 2);
      expect(s.get({ type: 'Dataplane', mesh: 'default', name: 'a' })).toBeUndefined();
    });

    it('a transaction with one failing op writes nothing', async () => {
      await s.create(dp('exists'));
      await expect(s.transact([{ op: 'create', resource: dp('new-1') }, { op: 'create', resource: dp('exists') }])).rejects.toMatchObject({ code: 'KUMA_ALREADY_EXISTS' });
      expect(s.get({ type: 'Dataplane', mesh: 'default', name: 'new-1' })).toBeUndefined();
      expect(s.count('Dataplane')).toBe(1);
    });

    it('concurrent transactions are checked one after the other', async () => {
      await s.create(dp('a'));
      const results = await Promise.allSettled([s.update(dp('a'), 1), s.update(dp('a'), 1), s.create(dp('b')), s.create(dp('b'))]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
      expect(s.get({ type: 'Dataplane', mesh: 'default', name: 'a' })!.version).toBe(2);
    });

    it('lists sorted by mesh then name, with total, pagination and next offset', async () => {
      for (const [m, n] of [['m2', 'a'], ['m1', 'c'], ['m1', 'a'], ['m1', 'b']] as const) await s.create(dp(n, m));
      const all = s.list('Dataplane');
      expect(all.items.map((r) => `${r.mesh}/${r.name}`)).toEqual(['m1/a', 'm1/b', 'm1/c', 'm2/a']);
      expect(all.total).toBe(4);
      expect(all.nextOffset).toBeUndefined();
      const p1 = s.list('Dataplane', { size: 3 });
      expect(p1.items.map((r) => r.name)).toEqual(['a', 'b', 'c']);
      expect(p1.nextOffset).toBe(3);
      const p2 = s.list('Dataplane', { size: 3, offset: 3 });
      expect(p2.items.map((r) => `${r.mesh}/${r.name}`)).toEqual(['m2/a']);
      expect(p2.total).toBe(4);
      expect(p2.nextOffset).toBeUndefined();
      expect(s.list('Dataplane', { mesh: 'm1' }).total).toBe(3);
      expect(s.list('Mesh').items).toEqual([]);
    });

    it('filters by name substring and exact labels', async () => {
      await s.create(dp('web-1', 'default', { app: 'web', env: 'prod' }));
      await s.create(dp('web-2', 'default', { app: 'web', env: 'dev' }));
      await s.create(dp('backend-1', 'default', { app: 'backend', env: 'prod' }));
      expect(s.list('Dataplane', { nameContains: 'web' }).items.map((r) => r.name)).toEqual(['web-1', 'web-2']);
      expect(s.list('Dataplane', { labels: { env: 'prod' } }).items.map((r) => r.name)).toEqual(['backend-1', 'web-1']);
      expect(s.list('Dataplane', { labels: { env: 'prod', app: 'web' } }).items.map((r) => r.name)).toEqual(['web-1']);
      expect(s.list('Dataplane', { labels: { env: 'pro' } }).total).toBe(0);
    });

    it('emits committed changes in order, one call per transaction', async () => {
      const seen: StoreEvent[][] = [];
      const stop = s.watch((evs) => seen.push(evs));
      await s.create(dp('a'));
      await s.update(dp('a'));
      await s.transact([{ op: 'delete', key: { type: 'Dataplane', mesh: 'default', name: 'a' } }, { op: 'create', resource: dp('b') }]);
      await s.create(dp('b')).catch(() => undefined);
      stop();
      await s.create(dp('c'));
      expect(seen.map((evs) => evs.map((e) => `${e.kind}:${e.resource.name}:${e.resource.version}`))).toEqual([['create:a:1'], ['update:a:2'], ['delete:a:2', 'create:b:1']]);
    });

    it('keeps resources of the same name apart by type and mesh', async () => {
      await s.create(dp('x', 'm1'));
      await s.create(dp('x', 'm2'));
      await s.create({ type: 'Mesh', mesh: '', name: 'x', spec: {} });
      expect(s.count('Dataplane')).toBe(2);
      expect(s.count('Dataplane', 'm1')).toBe(1);
      expect(s.get({ type: 'Mesh', mesh: '', name: 'x' })!.spec).toEqual({});
    });

    if (factory.reopen) {
      it('keeps every committed write across a reopen', async () => {
        await s.create(dp('a'));
        await s.update({ ...dp('a'), labels: { v: '2' } });
        await s.create(dp('b'));
        await s.delete({ type: 'Dataplane', mesh: 'default', name: 'b' });
        await Promise.all(Array.from({ length: 50 }, (_, i) => s.create(dp(`bulk-${i}`))));
        s = await factory.reopen!(s);
        const a = s.get({ type: 'Dataplane', mesh: 'default', name: 'a' })!;
        expect(a.version).toBe(2);
        expect(a.labels).toEqual({ v: '2' });
        expect(s.get({ type: 'Dataplane', mesh: 'default', name: 'b' })).toBeUndefined();
        expect(s.count('Dataplane')).toBe(51);
        await s.update(dp('a'), 2);
      });
    }
  });
}
