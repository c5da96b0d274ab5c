/**
 * `kuma export` round trip: the federation-with-policies export of one global applies cleanly
 * to a fresh global, whose own export is then the same; the profiles choose what is dumped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kumactlHome, removeDir, runKuma, startGlobal, type ControlPlane } from './harness';

describe('kuma export', () => {
  let a: ControlPlane;
  let b: ControlPlane;
  let homeA: string;
  let homeB: string;
  const strip = (yaml: string) => yaml.split('\n').filter((l) => !l.startsWith('# Product:')).join('\n');

  beforeAll(async () => {
    [a, b] = await Promise.all([startGlobal({ env: { KUMA_STORE_TYPE: 'memory' } }), startGlobal({ env: { KUMA_STORE_TYPE: 'memory' } })]);
    [homeA, homeB] = await Promise.all([kumactlHome(a), kumactlHome(b)]);
    const apply = await runKuma(['apply', '-f', '-'], {
      home: homeA,
      input: `type: Mesh
name: demo
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
---
type: MeshTrafficPermission
mesh: demo
name: allow-web
spec:
  targetRef: { kind: Mesh }
  from:
  - targetRef: { kind: Mesh }
    default: { action: Allow }
---
type: TrafficPermission
mesh: demo
name: legacy-all
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: '*' } }]
---
type: Secret
mesh: demo
name: app-secret
data: aGVsbG8=
`,
    });
    expect(apply.code, apply.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    for (const cp of [a, b]) if (cp) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
    for (const h of [homeA, homeB]) if (h) removeDir(h);
  });

  it('federation-with-policies from one global applies to a fresh global and exports the same', async () => {
    const exported = await runKuma(['export', '--profile', 'federation-with-policies'], { home: homeA });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/^# Product: Kuma, Version: /);
    expect(exported.stdout).toContain('\nname: allow-web\n');
    expect(exported.stdout).toContain('\nname: legacy-all\n');
    expect(exported.stdout).toContain('\nname: app-secret\n');
    expect(exported.stdout).toContain('skipCreatingInitialPolicies:\n- "*"');
    // No origin label on any exported resource (selectors such as a HostnameGenerator's matchLabels may name one).
    expect(exported.stdout).not.toMatch(/^  kuma\.io\/origin:/m);
    expect(exported.stdout).not.toContain('envoy-admin-ca');
    expect(exported.stdout.indexOf('type: Mesh\n')).toBeLessThan(exported.stdout.indexOf('type: Secret\n'));
    const applied = await runKuma(['apply', '-f', '-'], { home: homeB, input: exported.stdout });
    expect(applied.code, applied.stderr).toBe(0);
    const again = await runKuma(['export', '--profile', 'federation-with-policies'], { home: homeB });
    expect(again.code, again.stderr).toBe(0);
    expect(strip(again.stdout)).toBe(strip(exported.stdout));
  });

  it('federation leaves targetRef policies out; all without --include-admin leaves secrets out; bad values are errors', async () => {
    const fed = await runKuma(['export'], { home: homeA });
    expect(fed.code, fed.stderr).toBe(0);
    expect(fed.stdout).toContain('\nname: legacy-all\n');
    expect(fed.stdout).not.toContain('MeshTrafficPermission');
    expect(fed.stdout).toContain('\ntype: Secret\n');
    const all = await runKuma(['export', '--profile', 'all'], { home: homeA });
    expect(all.stdout).toContain('MeshTrafficPermission');
    expect(all.stdout).not.toContain('\ntype: Secret\n');
    const admin = await runKuma(['export', '--profile', 'all', '--include-admin'], { home: homeA });
    expect(admin.stdout).toContain('\ntype: Secret\n');
    const k8s = await runKuma(['export', '--format', 'kubernetes', '--profile', 'federation-with-policies'], { home: homeA });
    expect(k8s.code, k8s.stderr).toBe(0);
    expect(k8s.stdout).toContain('apiVersion: kuma.io/v1alpha1\nkind: MeshTrafficPermission\n');
    expect(k8s.stdout).toContain('kind: Secret\ntype: system.kuma.io/secret\n');
    const bad = await runKuma(['export', '--profile', 'everything'], { home: homeA });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Invalid value for --profile');
  });
});
