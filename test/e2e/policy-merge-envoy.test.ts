/**
 * Policy merge order on real Envoy (issue 9 item 1): next to the default policies of the mesh,
 * whose names sort before ours, a mesh-wide MeshTimeout `to: MeshService backend` with
 * connectionTimeout 3s and a MeshRetry `to: MeshService backend` with numRetries 9 reach the
 * client's Envoy (config_dump), while the defaults' other fields stay (perTryTimeout 16s) and
 * other destinations keep the defaults (5 retries, 5s connect timeout).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envoyBinary, eventually, freePort, jsonObjects, kumactlHome, removeDir, runKuma, spawnKuma, startCp, waitEnvoyReady, type ControlPlane, type Proc } from './harness';

const procs: Proc[] = [];


describe('policy merge order on real Envoy', () => {
  let cp: ControlPlane;
  let home: string;
  const ports: Record<string, number> = {};
  let clientAdmin = 0;

  async function sidecar(name: string, yaml: string): Promise<number> {
    const file = join(home, `${name}.yaml`);
    writeFileSync(file, yaml);
    const tok = await runKuma(['generate', 'dataplane-token', '--mesh', 'default', '--name', name, '--valid-for', '1h'], { home });
    expect(tok.code, tok.stderr).toBe(0);
    const tokenFile = join(home, `${name}.token`);
    writeFileSync(tokenFile, tok.stdout.trim());
    const admin = await freePort();
    procs.push(
      spawnKuma(
        ['dp', 'run', '--cp-address', `https://127.0.0.1:${ports.dp}`, '--dataplane-file', file, '--dataplane-token-file', tokenFile, '--ca-cert-file', join(cp.workDir, 'kuma-cp.crt'), '--binary-path', envoyBinary(), '--admin-port', String(admin), '--concurrency', '1', '--drain-time', '1s'],
        { home },
      ),
    );
    await waitEnvoyReady(admin);
    return admin;
  }

  async function configDump(): Promise<unknown> {
    const r = await fetch(`http://127.0.0.1:${clientAdmin}/config_dump`);
    expect(r.status).toBe(200);
    return r.json();
  }

  const cluster = (dump: unknown, name: string) => [...jsonObjects(dump)].find((o) => o['@type']?.endsWith('.Cluster') && o.name === name);
  const routeTo = (dump: unknown, cluster: string) => [...jsonObjects(dump)].find((o) => o.route?.cluster === cluster)?.route;

  beforeAll(async () => {
    for (const k of ['dp', 'backendIn', 'backendApp', 'otherIn', 'otherApp', 'clientIn', 'clientApp', 'outBackend', 'outOther']) ports[k] = await freePort();
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_PORT: String(ports.dp) } });
    home = await kumactlHome(cp);
    const policies = join(home, 'policies.yaml');
    writeFileSync(
      policies,
      `type: MeshTimeout
mesh: default
name: timeout-backend
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      connectionTimeout: 3s
---
type: MeshRetry
mesh: default
name: retry-backend
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      http:
        numRetries: 9
`,
    );
    const applied = await runKuma(['apply', '-f', policies], { home });
    expect(applied.code, applied.stderr).toBe(0);
    for (const [svc, app] of [['backend', ports.backendApp], ['other', ports.otherApp], ['client', ports.clientApp]] as const) {
      procs.push(spawnKuma(['demo-app', 'http', '--port', String(app), '--service', svc, '--instance', `${svc}-1`], { home }));
    }
    const inbound = (svc: string, port: number, app: number) => `type: Dataplane
mesh: default
name: ${svc}-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${port}
    servicePort: ${app}
    tags: { kuma.io/service: ${svc}, kuma.io/protocol: http }
`;
    await sidecar('backend-1', inbound('backend', ports.backendIn!, ports.backendApp!));
    await sidecar('other-1', inbound('other', ports.otherIn!, ports.otherApp!));
    clientAdmin = await sidecar(
      'client-1',
      `${inbound('client', ports.clientIn!, ports.clientApp!)}  outbound:
  - port: ${ports.outBackend}
    tags: { kuma.io/service: backend }
  - port: ${ports.outOther}
    tags: { kuma.io/service: other }
`,
    );
  }, 90_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    await cp?.kill9();
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('the mesh-wide MeshTimeout connectionTimeout reaches the backend cluster; other clusters keep the default', async () => {
    const dump = await eventually(async () => {
      const d = await configDump();
      expect(cluster(d, 'backend')?.connect_timeout).toBe('3s');
      return d;
    }, 20_000);
    expect(cluster(dump, 'other')?.connect_timeout).toBe('5s');
  });

  it('MeshRetry to MeshService backend: num_retries 9 in the route, the default per-try timeout kept; other keeps 5', async () => {
    const dump = await eventually(async () => {
      const d = await configDump();
      expect(routeTo(d, 'backend')?.retry_policy?.num_retries).toBe(9);
      return d;
    }, 20_000);
    expect(routeTo(dump, 'backend').retry_policy.per_try_timeout).toBe('16s');
    expect(routeTo(dump, 'other')?.retry_policy?.num_retries).toBe(5);
  });

  it('traffic flows through the merged config', async () => {
    const r = await eventually(async () => {
      const r = await fetch(`http://127.0.0.1:${ports.outBackend}/hello`);
      expect(r.status).toBe(200);
      return r.json();
    });
    expect(r).toMatchObject({ service: 'backend' });
  });
});
