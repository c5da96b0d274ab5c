import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../internal/store/memory-store';

/** Deterministic pseudo-random numbers, so a failure is reproducible. */
function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

describe('IndexedStore keeps its sorted index in place across writes', () => {
  it('lists, pages, filters by mesh and counts exactly like a full sort after 3000 mixed writes', async () => {
    const store = new MemoryStore();
    const rand = rng(7);
    const meshes = ['', 'a', 'ab', 'b', 'default'];
    const live = new Map<string, { mesh: string; name: string; v: number }>();
    for (let i = 0; i < 3000; i++) {
      const mesh = meshes[Math.floor(rand() * meshes.length)]!;
      const name = `n-${Math.floor(rand() * 200)}`;
      const k = `${mesh}/${name}`;
      const cur = live.get(k);
      const roll = rand();
      if (!cur) {
        await store.create({ type: 'T', mesh, name, labels: {}, spec: { i } });
        live.set(k, { mesh, name, v: i });
      } else if (roll < 0.7) {
        await store.update({ type: 'T', mesh, name, labels: {}, spec: { i } });
        cur.v = i;
      } else {
        await store.delete({ type: 'T', mesh, name });
        live.delete(k);
      }
      if (i % 500 === 0) store.list('T'); // the sorted index exists from here on and is maintained
    }
    const expected = [...live.values()].sort((x, y) => (x.mesh === y.mesh ? (x.name < y.name ? -1 : x.name > y.name ? 1 : 0) : x.mesh < y.mesh ? -1 : 1));
    const got = store.list('T').items.map((r) => ({ mesh: r.mesh, name: r.name, v: (r.spec as { i: number }).i }));
    expect(got).toEqual(expected);
    for (const mesh of meshes) {
      const want = expected.filter((e) => e.mesh === mesh);
      expect(store.list('T', { mesh }).items.map((r) => r.name)).toEqual(want.map((e) => e.name));
      expect(store.count('T', mesh)).toBe(want.length);
      const page = store.list('T', { mesh, offset: 3, size: 5 });
      expect(page.items.map((r) => r.name)).toEqual(want.slice(3, 8).map((e) => e.name));
      expect(page.total).toBe(want.length);
    }
    expect(store.count('T')).toBe(expected.length);
    expect(store.list('T', { mesh: 'zzz' }).items).toEqual([]);
  });
});
