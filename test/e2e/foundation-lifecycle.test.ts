/**
 * The Foundation round trip on real processes: apply Mesh, Dataplane,
 * TrafficPermission and MeshTrafficPermission from YAML files, read them
 * back as table, yaml and json, delete one, restart the control plane on the
 * same LevelDB folder and find exactly the right data.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { kumactlHome, removeDir, runKuma, startCp, tempDir, type ControlPlane } from './harness';

const FILES: Record<string, string> = {
  '1-mesh.yaml': `type: Mesh
name: payments
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
`,
  '2-dataplane.yaml': `type: Dataplane
mesh: payments
name: billing-01
networking:
  address: 10.1.0.7
  inbound:
  - port: 8080
    servicePort: 18080
    tags:
      kuma.io/service: billing
      kuma.io/protocol: http
      version: v2
  outbound:
  - port: 10001
    tags:
      kuma.io/service: ledger
`,
  '3-traffic-permission.yaml': `type: TrafficPermission
mesh: payments
name: billing-from-web
sources:
- match:
    kuma.io/service: web
destinations:
- match:
    kuma.io/service: billing
`,
  '4-mesh-traffic-permission.yaml': `type: MeshTrafficPermission
mesh: payments
name: allow-web
spec:
  targetRef:
    kind: MeshService
    name: billing
  from:
  - targetRef:
      kind: MeshSubset
      tags:
        kuma.io/service: web
    default:
      action: Allow
`,
};

describe('foundation lifecycle: apply, read back, delete, restart', () => {
  const work = tempDir('kuma-lifecycle-');
  const files = tempDir('kuma-yaml-');
  let cp: ControlPlane;
  let home: string;
  const kuma = (args: string[]) => runKuma(args, { home });
  afterAll(async () => {
    await cp?.stop();
    removeDir(work);
    removeDir(files);
    removeDir(home);
  });

  it('applies four resources from files', async () => {
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(files, name), text);
    cp = await startCp({ workDir: work });
    home = await kumactlHome(cp);
    const r = await kuma(['apply', ...Object.keys(FILES).flatMap((f) => ['-f', join(files, f)])]);
    // Kuma 2.14 deprecates MeshTrafficPermission `from`; the server's warning is printed as kumactl does.
    expect(r.stderr).toBe("Warning: 'from' field is deprecated, use 'rules' instead\n");
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'resource type="Mesh" mesh="" name="payments" Created',
      'resource type="Dataplane" mesh="payments" name="billing-01" Created',
      'resource type="TrafficPermission" mesh="payments" name="billing-from-web" Created',
      'resource type="MeshTrafficPermission" mesh="payments" name="allow-web" Created',
    ]);
  });

  it('reads them back as tables', async () => {
    const meshes = await kuma(['get', 'meshes']);
    expect(meshes.stdout).toMatch(/^NAME +mTLS +LOCALITY +ZONEEGRESS +AGE\n/);
    expect(meshes.stdout).toMatch(/\npayments +builtin\/ca-1 +off +off +\d+s\n/);
    const dps = await kuma(['get', 'dataplanes', '-m', 'payments']);
    expect(dps.stdout).toMatch(/^MESH +NAME +TAGS +ADDRESS +AGE\npayments +billing-01 +kuma\.io\/protocol=http kuma\.io\/service=billing kuma\.io\/zone=default version=v2 +10\.1\.0\.7 +\d+s\n$/);
    const tps = await kuma(['get', 'traffic-permissions', '-m', 'payments']);
    expect(tps.stdout).toMatch(/^MESH +NAME +AGE\npayments +billing-from-web +\d+s\n$/);
    const mtps = await kuma(['get', 'meshtrafficpermissions', '-m', 'payments']);
    expect(mtps.stdout).toMatch(/^MESH +NAME +AGE\npayments +allow-web +\d+s\n$/);
  });

  it('reads them back as yaml and json in Kuma\'s shapes', async () => {
    const dpYaml = parseYaml((await kuma(['get', 'dataplane', 'billing-01', '-m', 'payments', '-o', 'yaml'])).stdout);
    expect(dpYaml).toMatchObject({ type: 'Dataplane', mesh: 'payments', name: 'billing-01', networking: { address: '10.1.0.7', inbound: [{ port: 8080, servicePort: 18080 }], outbound: [{ port: 10001 }] } });
    expect(dpYaml.labels).toMatchObject({ 'kuma.io/mesh': 'payments', 'kuma.io/origin': 'zone', 'kuma.io/zone': 'default' });
    const mtp = JSON.parse((await kuma(['get', 'meshtrafficpermission', 'allow-web', '-m', 'payments', '-o', 'json'])).stdout);
    expect(mtp).toMatchObject({ type: 'MeshTrafficPermission', mesh: 'payments', name: 'allow-web', spec: { from: [{ default: { action: 'Allow' } }] } });
    const tpList = JSON.parse((await kuma(['get', 'traffic-permissions', '-m', 'payments', '-o', 'json'])).stdout);
    expect(tpList).toMatchObject({ total: 1, next: null, items: [{ name: 'billing-from-web', sources: [{ match: { 'kuma.io/service': 'web' } }] }] });
    const meshYaml = parseYaml((await kuma(['get', 'mesh', 'payments', '-o', 'yaml'])).stdout);
    expect(meshYaml.mtls.enabledBackend).toBe('ca-1');
    expect(meshYaml.mesh).toBeUndefined();
  });

  it('deletes one, and after a restart on the same folder the rest is still there', async () => {
    const del = await kuma(['delete', 'traffic-permission', 'billing-from-web', '-m', 'payments']);
    expect(del).toMatchObject({ code: 0, stdout: 'deleted TrafficPermission "billing-from-web"\n' });
    const before = JSON.parse((await kuma(['get', 'dataplane', 'billing-01', '-m', 'payments', '-o', 'json'])).stdout);
    expect(await cp.stop()).toBe(0);
    cp = await startCp({ workDir: work, apiPort: cp.apiPort });
    const after = JSON.parse((await kuma(['get', 'dataplane', 'billing-01', '-m', 'payments', '-o', 'json'])).stdout);
    expect(after).toEqual(before);
    expect((await kuma(['get', 'meshtrafficpermission', 'allow-web', '-m', 'payments'])).code).toBe(0);
    expect((await kuma(['get', 'mesh', 'payments'])).code).toBe(0);
    const gone = await kuma(['get', 'traffic-permission', 'billing-from-web', '-m', 'payments']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/No resources found in payments mesh/);
    // The default mesh is not created twice, and its signing key survived.
    expect(JSON.parse((await kuma(['get', 'meshes', '-o', 'json'])).stdout).items.map((m: { name: string }) => m.name)).toEqual(['default', 'payments']);
  });
});
