/**
 * The install manifests' commands actually run: the control plane's
 * container args with the ConfigMap's config.yaml, and the zone ingress and
 * egress Deployments' args (their ZoneIngress/ZoneEgress template filled with
 * --dataplane-var from the downward API) on real Envoy, probed with the
 * manifests' own exec probe (`kuma dp readiness-check`). Only what a pod
 * would get differently is swapped: mount paths for temp files, Kubernetes
 * DNS and fixed ports for loopback and free ports, $(POD_*) for values.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_FILE, ZONE_PROXY_DIR, ZONE_TOKEN_DIR } from '../../internal/install/paths';
import { api, envoyBinary, eventually, freePort, removeDir, runKuma, spawnKuma, tempDir, type Proc } from './harness';

const home = tempDir('kuma-install-run-');
const procs: Proc[] = [];
// The zone proxies drain for the manifests' 30s on SIGTERM, all at once.
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  removeDir(home);
}, 90_000);

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('install manifests run as written', () => {
  it('the CP starts from the ConfigMap config; ingress and egress start from their Deployments and pass their probes', async () => {
    const placeholder = join(home, 'placeholder.token');
    writeFileSync(placeholder, 'a.b.c');
    const r = await runKuma(['install', 'control-plane', '--mode=zone', '--zone=zone-1', '--ingress-enabled', '--egress-enabled', '--zone-token-file', placeholder], { home });
    expect(r.code, r.stderr).toBe(0);
    const objs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    const get = (kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
    const container = (kind: string, name: string) => get(kind, name).spec.template.spec.containers[0];

    // The control plane: its args, its config.yaml; work dir and ports moved to a temp dir and free ports.
    const configFile = join(home, 'config.yaml');
    writeFileSync(configFile, get('ConfigMap', 'kuma-control-plane-config').data['config.yaml']);
    const cp = container('StatefulSet', 'kuma-control-plane');
    const ports = { api: await freePort(), https: await freePort(), diag: await freePort(), dp: await freePort() };
    const cpArgs = (cp.args as string[]).map((a) => (a === CONFIG_FILE ? configFile : a));
    const cpProc = spawnKuma(cpArgs, {
      home,
      env: {
        KUMA_GENERAL_WORK_DIR: join(home, 'cp'),
        KUMA_STORE_LEVELDB_PATH: join(home, 'cp', 'store'),
        KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
        KUMA_API_SERVER_HTTP_PORT: String(ports.api),
        KUMA_API_SERVER_HTTPS_INTERFACE: '127.0.0.1',
        KUMA_API_SERVER_HTTPS_PORT: String(ports.https),
        KUMA_DIAGNOSTICS_SERVER_PORT: String(ports.diag),
        KUMA_DP_SERVER_PORT: String(ports.dp),
        // As `kubectl exec` into the pod would be: the manifests turn loopback admin off (port-forward).
        KUMA_API_SERVER_AUTHN_LOCALHOST_IS_ADMIN: 'true',
      },
    });
    procs.push(cpProc);
    const probePath = cp.readinessProbe.httpGet.path;
    expect(cp.readinessProbe.httpGet.port).toBe(5680);
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${ports.diag}${probePath}`);
      if (res.status !== 200) throw new Error(`CP ${probePath}: ${res.status}\n${cpProc.logs()}`);
    }, 30_000, 200);
    const mode = await api({ apiUrl: `http://127.0.0.1:${ports.api}` }, 'GET', '/config');
    expect(mode.json).toMatchObject({ mode: 'zone', multizone: { zone: { name: 'zone-1' } } });

    // A real zone token (the manifests' Secret holds what --zone-token-file had).
    const kumactl = join(home, 'kumactl.config');
    expect((await runKuma(['config', 'control-planes', 'add', '--config-file', kumactl, '--name', 'z', '--address', `http://127.0.0.1:${ports.api}`], { home })).code).toBe(0);
    const tok = await runKuma(['generate', 'zone-token', '--config-file', kumactl, '--zone', 'zone-1', '--scope', 'ingress', '--scope', 'egress', '--valid-for', '1h'], { home });
    expect(tok.code, tok.stderr).toBe(0);
    const tokenDir = join(home, 'zone-token');
    mkdirSync(tokenDir, { recursive: true });
    writeFileSync(join(tokenDir, 'token'), tok.stdout.trim());

    for (const kind of ['ingress', 'egress'] as const) {
      const name = `kuma-${kind}`;
      const file = kind === 'ingress' ? 'zone-ingress.yaml' : 'zone-egress.yaml';
      const listen = await freePort();
      const readiness = await freePort();
      const admin = await freePort();
      const templateDir = join(home, `${kind}-template`);
      mkdirSync(templateDir, { recursive: true });
      writeFileSync(join(templateDir, file), (get('ConfigMap', name).data[file] as string).replaceAll(/([pP]ort): 1000[12]/g, `$1: ${listen}`));
      const c = container('Deployment', name);
      const probe = c.readinessProbe.exec.command as string[];
      const args = (c.args as string[]).map((a) =>
        a
          .replace(`https://kuma-control-plane.kuma-system.svc:5678`, `https://127.0.0.1:${ports.dp}`)
          .replace(ZONE_PROXY_DIR, templateDir)
          .replace(ZONE_TOKEN_DIR, tokenDir)
          .replace('$(POD_NAME)', `${name}-pod-0`)
          .replace('$(POD_IP)', '127.0.0.1')
          .replace('/tmp/kuma-dp', join(home, `${kind}-dp`))
          .replace(/^9902$/, String(readiness)),
      );
      expect(args).toContain('--skip-verify');
      const proc = spawnKuma([...args, '--binary-path', envoyBinary(), '--admin-port', String(admin), '--concurrency', '1'], { home });
      procs.push(proc);
      // The manifest's own probe command, pointed at this pod's readiness port.
      const probeArgs = probe.slice(1).map((a) => (a === '9902' ? String(readiness) : a));
      expect(probe[0]).toBe('kuma');
      await eventually(async () => {
        const pr = await runKuma(probeArgs, { home, timeoutMs: 5_000 });
        if (pr.code !== 0) throw new Error(`${kind} probe: ${pr.stderr}\n${proc.logs().slice(-2000)}`);
      }, 30_000, 500);
      const type = kind === 'ingress' ? 'zoneingresses' : 'zoneegresses';
      const res = await api({ apiUrl: `http://127.0.0.1:${ports.api}` }, 'GET', `/${type}/${name}-pod-0`);
      expect(res.status, res.text).toBe(200);
      expect(res.json.networking).toMatchObject({ address: '127.0.0.1', port: listen });
      if (kind === 'ingress') expect(res.json.networking).toMatchObject({ advertisedAddress: '127.0.0.1', advertisedPort: listen });
    }
    // The probe fails when nothing answers (a dead proxy is restarted by the kubelet).
    const dead = await runKuma(['dp', 'readiness-check', '--readiness-port', String(await freePort())], { home });
    expect(dead.code).toBe(1);
    expect(dead.stderr).toMatch(/^not ready: /);
  }, 90_000);
});
