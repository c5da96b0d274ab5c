import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createSidecarMemo } from '../../../internal/xds/generators/memo';
import { meshProxyPatch } from '../../../internal/xds/generators/proxy-patch/post-processor';
import { SIDECAR_PROFILE, runProfile } from '../../../internal/xds/generators/sidecar/profile';
import type { TaggedResource } from '../../../internal/xds/generators/types';
import { CASES } from './cases';
import { expectGolden, fixture, render, resourceJson } from './golden';
import { docs } from './fixtures';

const CASE_LIST = CASES['mesh-proxy-patch']!;

function run(name: string) {
  const c = CASE_LIST.find((x) => x.name === name)!;
  const { proxy, ctx } = fixture(c);
  const before = runProfile(SIDECAR_PROFILE, proxy, ctx, createSidecarMemo());
  const snapshot = JSON.stringify(before.map(resourceJson));
  const after = meshProxyPatch.run(before, proxy, ctx);
  return { before, after, snapshot };
}

const key = (r: TaggedResource) => `${r.kind}/${r.name}`;

/** The golden shows what the patch changed: the resources it touched or added, and the removed names. */
function diff(before: readonly TaggedResource[], after: readonly TaggedResource[]): string {
  const was = new Map(before.map((r) => [key(r), JSON.stringify(resourceJson(r))]));
  const changed = after.filter((r) => was.get(key(r)) !== JSON.stringify(resourceJson(r)));
  const kept = new Set(after.map(key));
  const removed = before.map(key).filter((k) => !kept.has(k));
  return `${render(changed)}${stringify({ removed }, { lineWidth: 0 })}`;
}

describe('MeshProxyPatch golden (what each case changes in the whole sidecar config)', () => {
  it.each(CASE_LIST.map((c) => [c.name] as const))('%s', (name) => {
    const { before, after } = run(name);
    expectGolden(diff(before, after), `mesh-proxy-patch/${name}.golden.yaml`);
  });
});

describe('MeshProxyPatch post-processor', () => {
  it('never touches the generated (possibly shared) resource objects', () => {
    for (const c of CASE_LIST) {
      const { before, snapshot } = run(c.name);
      expect(JSON.stringify(before.map(resourceJson)), c.name).toBe(snapshot);
    }
  });

  it('returns the very same objects when no policy selects the proxy', () => {
    const { before, after } = run('09-other-service');
    expect(after.length).toBe(before.length);
    for (const r of before) expect(after).toContain(r);
  });

  it('replaces a Duration whole and merges a typed_config field by field', () => {
    const backend = run('01-cluster-patch-value').after.find((r) => r.kind === 'cluster' && r.name === 'backend')!;
    expect(resourceJson(backend)).toMatchObject({ connectTimeout: { nanos: 500000000 }, perConnectionBufferLimitBytes: 32768 });
    expect((resourceJson(backend).connectTimeout as { seconds?: string }).seconds).toBeUndefined();
    const outbound = run('05-network-filters').after.find((r) => r.kind === 'listener' && r.origin === 'outbound')!;
    const hcm = JSON.stringify(resourceJson(outbound));
    expect(hcm).toContain('"streamIdleTimeout":{"seconds":"11"}');
    expect(hcm).toContain('envoy.filters.http.router');
  });

  it('names the modification when a JSON patch cannot be applied', () => {
    const c = { name: 'bad', resources: docs(CASE_LIST[0]!.resources.split('\n---\n').slice(0, 3).join('\n---\n'), `
type: MeshProxyPatch
mesh: default
name: bad
spec:
  targetRef: { kind: Mesh }
  default:
    appendModifications:
    - cluster:
        operation: Patch
        match: { name: backend }
        jsonPatches: [{ op: replace, path: /noSuchField/x, value: 1 }]
`) };
    const { proxy, ctx } = fixture(c);
    const before = runProfile(SIDECAR_PROFILE, proxy, ctx, createSidecarMemo());
    expect(() => meshProxyPatch.run(before, proxy, ctx)).toThrow(/appendModifications\[0\]\.cluster: jsonPatches\[0\]: path "\/noSuchField\/x": "\/noSuchField" does not exist/);
  });
});
