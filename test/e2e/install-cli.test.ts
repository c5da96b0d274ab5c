/**
 * `kuma install control-plane` through the built binary: good flags print
 * YAML on stdout (warnings on stderr), bad ones print the reason naming the
 * flag on stderr, NOTHING on stdout (it is piped to kubectl apply), exit 1.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runKuma, tempDir } from './harness';

const home = tempDir('kuma-install-cli-');
afterAll(() => removeDir(home));

describe('kuma install control-plane (binary)', () => {
  it('prints the manifests of a global', async () => {
    const r = await runKuma(['install', 'control-plane', '--mode=global'], { home });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const kinds = parseAllDocuments(r.stdout).map((d) => `${d.toJS().kind}/${d.toJS().metadata.name}`);
    expect(kinds).toEqual(expect.arrayContaining(['Namespace/kuma-system', 'StatefulSet/kuma-control-plane', 'Service/kuma-control-plane', 'Service/kuma-global-zone-sync', 'ConfigMap/kuma-control-plane-config']));
  });

  it('reads --zone-token-file into Secret kuma-zone-token and warns on stderr only', async () => {
    const file = join(home, 'zone.token');
    writeFileSync(file, 'aaa.bbb.ccc\n');
    const r = await runKuma(['install', 'control-plane', '--mode=zone', '--zone=zone-1', '--egress-enabled', '--kds-global-address', 'grpcs://g.example:5685', '--kds-tls-skip-verify', '--zone-token-file', file], { home });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Warning: .*--tls-general-secret/m);
    const secret = parseAllDocuments(r.stdout).map((d) => d.toJS()).find((o) => o.kind === 'Secret');
    expect(secret).toMatchObject({ metadata: { name: 'kuma-zone-token' }, stringData: { token: 'aaa.bbb.ccc' } });
  });

  const bad: [string, string[], RegExp][] = [
    ['zone without --zone', ['--mode=zone'], /--zone: a zone control plane needs its zone name/],
    ['--kds-global-address without a scheme', ['--zone=z', '--kds-global-address', '1.2.3.4:5685'], /--kds-global-address: .* grpcs:\/\/ or grpc:\/\//],
    ['global with --ingress-enabled', ['--mode=global', '--ingress-enabled'], /--ingress-enabled: a zone ingress runs in a zone/],
    ['unknown --store', ['--mode=global', '--store', 'kubernetes'], /--store: "kubernetes" is not supported/],
    ['--replicas 3 on LevelDB', ['--mode=global', '--replicas', '3'], /--replicas: 3 replicas need --store postgres/],
    ['a --zone-token-file that does not exist', ['--zone=z', '--zone-token-file', '/nonexistent/zone.token'], /--zone-token-file: cannot read \/nonexistent\/zone.token: ENOENT/],
  ];
  for (const [name, args, message] of bad) {
    it(`${name}: stderr names the flag, stdout is empty, exit 1`, async () => {
      const r = await runKuma(['install', 'control-plane', ...args], { home });
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(1);
    });
  }
});

describe('kuma install demo / observability (binary)', () => {
  it('demo prints the demo app in a namespace labelled for injection', async () => {
    const r = await runKuma(['install', 'demo'], { home });
    expect(r.code, r.stderr).toBe(0);
    const objs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(objs[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'kuma-demo', labels: { 'kuma.io/sidecar-injection': 'enabled' } } });
    expect(objs.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['demo-app', 'redis']);
  });

  it('observability prints Prometheus and Grafana with the dashboard', async () => {
    const r = await runKuma(['install', 'observability'], { home });
    expect(r.code, r.stderr).toBe(0);
    const objs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(objs.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['grafana', 'prometheus']);
    const dash = objs.find((o) => o.metadata.name === 'grafana-dashboards');
    expect(JSON.parse(dash.data['kuma-cp.json']).uid).toBe('kuma-cp');
  });

  it('bad flags: nothing on stdout, the flag on stderr, exit 1', async () => {
    for (const args of [['install', 'demo', '--namespace', 'Bad_NS'], ['install', 'observability', '--components', 'jaeger']]) {
      const r = await runKuma(args, { home });
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/--namespace|--components/);
      expect(r.code).toBe(1);
    }
  });
});
