/**
 * The policy inspection routes and KRIs on the built dist/kuma (standalone zone, memory store),
 * through the REST API and the CLI: `kri` on resources and `GET /_kri/{kri}`,
 * `_resources/dataplanes` (paged, Kuma-shaped), `/dataplanes`, `/policies`, `_rules` / `rules`,
 * `kuma inspect <policy> NAME` and `kuma inspect dataplane NAME --type rules`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, kumactlHome, removeDir, runKuma, startCp, type ControlPlane } from './harness';

const RESOURCES = `type: Dataplane
mesh: default
name: web-01
networking:
  address: 127.0.0.1
  inbound:
  - port: 18080
    servicePort: 18081
    tags: { kuma.io/service: web, kuma.io/protocol: http }
  outbound:
  - port: 19001
    tags: { kuma.io/service: backend }
${[1, 2, 3]
  .map(
    (i) => `---
type: Dataplane
mesh: default
name: backend-0${i}
networking:
  address: 127.0.0.1
  inbound:
  - port: ${19090 + i}
    servicePort: ${19190 + i}
    tags: { kuma.io/service: backend, kuma.io/protocol: http }
`,
  )
  .join('')}---
type: MeshTrafficPermission
mesh: default
name: mtp-1
spec:
  targetRef: { kind: MeshService, name: backend }
  from:
  - targetRef: { kind: MeshService, name: web }
    default: { action: Allow }
---
type: MeshRetry
mesh: default
name: retry-backend
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      http: { numRetries: 9 }
---
type: TrafficPermission
mesh: default
name: tp-web
sources:
- match: { kuma.io/service: '*' }
destinations:
- match: { kuma.io/service: web }
`;

describe('policy inspection on dist/kuma', () => {
  let cp: ControlPlane;
  let home: string;

  beforeAll(async () => {
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_MULTIZONE_ZONE_NAME: 'zone-1' } });
    home = await kumactlHome(cp);
    const r = await runKuma(['apply', '-f', '-'], { home, input: RESOURCES });
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await cp?.kill9();
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('every resource with a shortName has a kri; GET /_kri/{kri} returns it; kuma get -o yaml prints it and apply takes it back', async () => {
    const mtp = await api(cp, 'GET', '/meshes/default/meshtrafficpermissions/mtp-1');
    expect(mtp.json.kri).toBe('kri_mtp_default_zone-1__mtp-1_');
    expect((await api(cp, 'GET', '/meshes/default')).json.kri).toBe('kri_m____default_');
    const dps = await api(cp, 'GET', '/meshes/default/dataplanes');
    expect(dps.json.items.map((d: { kri: string }) => d.kri)).toContain('kri_dp_default_zone-1__web-01_');
    const byKri = await api(cp, 'GET', '/_kri/kri_mtp_default_zone-1__mtp-1_');
    expect([byKri.status, byKri.json]).toEqual([200, mtp.json]);
    expect((await api(cp, 'GET', '/_kri/kri_mtp_default_zone-1__nope_')).status).toBe(404);
    const bad = await api(cp, 'GET', '/_kri/not-a-kri');
    expect([bad.status, bad.json.detail]).toEqual([400, expect.stringContaining('starts with "kri_"')]);
    const yaml = await runKuma(['get', 'meshtrafficpermission', 'mtp-1', '-o', 'yaml'], { home });
    expect(yaml.stdout).toContain('kri: kri_mtp_default_zone-1__mtp-1_');
    const again = await runKuma(['apply', '-f', '-'], { home, input: yaml.stdout });
    expect(again.code, again.stderr).toBe(0);
  });

  it('_resources/dataplanes is Kuma-shaped and paged; kuma inspect meshtrafficpermission prints the table', async () => {
    const all = await api(cp, 'GET', '/meshes/default/meshtrafficpermissions/mtp-1/_resources/dataplanes');
    expect(all.json.total).toBe(3);
    expect(all.json.items[0]).toEqual({ type: 'Dataplane', mesh: 'default', name: 'backend-01', labels: expect.any(Object), kri: 'kri_dp_default_zone-1__backend-01_' });
    const page = await api(cp, 'GET', '/meshes/default/meshtrafficpermissions/mtp-1/_resources/dataplanes?size=2');
    expect(page.json.items).toHaveLength(2);
    expect(page.json.next).toBe(`${cp.apiUrl}/meshes/default/meshtrafficpermissions/mtp-1/_resources/dataplanes?size=2&offset=2`);
    const r = await runKuma(['inspect', 'meshtrafficpermission', 'mtp-1'], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Type        Mesh      Name\nDataplane   default   backend-01\nDataplane   default   backend-02\nDataplane   default   backend-03\n\nTotal: 3\n');
  });

  it('kuma inspect <legacy policy> lists affected proxies with their attachments (/dataplanes)', async () => {
    const body = await api(cp, 'GET', '/meshes/default/traffic-permissions/tp-web/dataplanes');
    expect(body.json.items).toEqual([{ kind: 'SidecarDataplane', dataplane: { mesh: 'default', name: 'web-01' }, attachments: [{ type: 'inbound', name: '127.0.0.1:18080:18081', service: 'web' }] }]);
    const r = await runKuma(['inspect', 'traffic-permission', 'tp-web'], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Affected data plane proxies:\n\n  web-01:\n    inbound 127.0.0.1:18080:18081(web)\n\n');
    const unknown = await runKuma(['inspect', 'nosuchpolicy', 'x'], { home });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('unknown policy type "nosuchpolicy"');
  });

  it('/policies and --type policies: matchedPolicies by type in merge order', async () => {
    const body = await api(cp, 'GET', '/meshes/default/dataplanes/web-01/policies');
    const svc = body.json.items.find((i: { type: string; name: string }) => i.type === 'service' && i.name === 'backend');
    expect(svc.matchedPolicies.MeshRetry.map((p: { name: string }) => p.name)).toEqual(['retry-backend', 'mesh-retry-all-default']);
    const r = await runKuma(['inspect', 'dataplane', 'web-01'], { home });
    expect(r.stdout).toContain('INBOUND 127.0.0.1:18080:18081(web):\n  MeshTimeout\n    mesh-timeout-all-default\n  TrafficPermission\n    tp-web\n\n');
    expect(r.stdout).toContain('SERVICE backend:\n  MeshCircuitBreaker\n    mesh-circuit-breaker-all-default\n  MeshRetry\n    retry-backend\n    mesh-retry-all-default\n');
  });

  it('_rules (and rules) and --type rules: the merged to-rule for backend has numRetries 9 over the default', async () => {
    const r = await api(cp, 'GET', '/meshes/default/dataplanes/web-01/_rules');
    expect(r.status).toBe(200);
    expect((await api(cp, 'GET', '/meshes/default/dataplanes/web-01/rules')).json).toEqual(r.json);
    const retry = r.json.rules.find((x: { type: string }) => x.type === 'MeshRetry');
    expect(retry.toRules[0]).toMatchObject({ matchers: [{ key: 'kuma.io/service', value: 'backend', not: false }], conf: { http: { numRetries: 9, perTryTimeout: '16s' } } });
    const cli = await runKuma(['inspect', 'dataplane', 'web-01', '--type', 'rules'], { home });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('MeshRetry:\n  to kuma.io/service=backend (mesh-retry-all-default, retry-backend):\n');
    expect(cli.stdout).toMatch(/numRetries: 9/);
    const backend = await runKuma(['inspect', 'dataplane', 'backend-01', '--type', 'rules'], { home });
    expect(backend.stdout).toContain('MeshTrafficPermission:\n  from kuma.io/service=web to inbound :19091 (mtp-1):\n    action: Allow\n');
  });

  it('_layout lists inbound KRIs; _inbounds/{kri}/_policies and _policies answer the GUI shapes', async () => {
    const layout = await api(cp, 'GET', '/meshes/default/dataplanes/web-01/_layout');
    expect(layout.status).toBe(200);
    expect(layout.json.kri).toBe('kri_dp_default_zone-1__web-01_');
    expect(layout.json.inbounds).toEqual([{ kri: 'kri_dp_default_zone-1__web-01_18080', port: 18080, protocol: 'http', proxyResourceName: 'inbound:127.0.0.1:18080' }]);
    const inbound = await api(cp, 'GET', `/meshes/default/dataplanes/web-01/_inbounds/${layout.json.inbounds[0].kri}/_policies`);
    expect(inbound.status).toBe(200);
    expect(inbound.json.policies).toContainEqual({ kind: 'MeshTimeout', rules: [{ conf: expect.objectContaining({ connectionTimeout: '10s' }) }], origins: [{ kri: 'kri_mt_default_zone-1__mesh-timeout-all-default_' }] });
    expect((await api(cp, 'GET', '/meshes/default/dataplanes/web-01/_policies')).json).toEqual({ policies: [] });
  });
});
