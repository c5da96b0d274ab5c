/**
 * `kuma install control-plane` as a pure generator: a matrix of flag
 * combinations, each rendered to a golden file, every object validated
 * against the Kubernetes schemas (kubernetes-models), the manifests'
 * cross-references checked (selectors, volumes, Secrets, probes), and the
 * ConfigMap's config.yaml loaded by the CP's own config loader.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../internal/config/cp-config';
import { controlPlaneObjects } from '../../../internal/install/control-plane';
import { parseControlPlaneFlags, type ControlPlaneFlags } from '../../../internal/install/control-plane-options';
import type { K8sObject } from '../../../internal/install/k8s';
import { toYaml } from '../../../internal/install/render';
import { expectGolden } from './golden';
import { validateObject } from './k8s-models';

const VERSION = '2.14.0';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJab25lIjoiem9uZS0xIn0.c2lnbmF0dXJl';

export const CASES: [string, ControlPlaneFlags][] = [
  ['global', { mode: 'global' }],
  ['global-node-port', { mode: 'global', useNodePort: true, namespace: 'mesh', controlPlaneImage: 'registry.example/kuma:2.14.0', imagePullPolicy: 'Always' }],
  ['global-postgres-replicas', { mode: 'global', store: 'postgres', replicas: '3', storePostgresHost: 'pg.db.svc', storePostgresPasswordSecret: 'kuma-pg:pw', storePostgresTlsMode: 'verifyFull' }],
  ['global-tls-set-env', { mode: 'global', tlsGeneralSecret: 'kuma-tls', set: ['apiServer.readOnly=true', 'multizone.global.kds.zoneInsightFlushIntervalMs=5000', 'multizone.global.kds.authType=none'], envVar: ['KUMA_LOG_LEVEL=debug'] }],
  ['zone-standalone', { mode: 'zone', zone: 'zone-1' }],
  ['zone-federated', { mode: 'zone', zone: 'zone-1', kdsGlobalAddress: 'grpcs://35.226.196.103:5685', tlsKdsZoneClientSecret: 'kuma-global-ca', zoneToken: TOKEN }],
  ['zone-ingress', { mode: 'zone', zone: 'zone-1', ingressEnabled: true, kdsGlobalAddress: 'grpcs://global.example:5685', kdsTlsSkipVerify: true, zoneToken: TOKEN }],
  ['zone-ingress-egress', { mode: 'zone', zone: 'zone-2', ingressEnabled: true, egressEnabled: true, kdsGlobalAddress: 'grpcs://global.example:5685', tlsKdsZoneClientSecret: 'kuma-global-ca', tlsGeneralSecret: 'kuma-tls', zoneToken: TOKEN, ingressAdvertisedAddress: 'ingress.zone-2.example', ingressServiceType: 'NodePort', egressDrainTime: '5s' }],
  ['zone-postgres-egress', { mode: 'zone', zone: 'zone-3', egressEnabled: true, store: 'postgres', replicas: '2', storePostgresHost: '10.0.0.5', storePostgresPort: '15432', storePostgresUser: 'kuma-cp', storePostgresDbName: 'zone3', storePostgresPasswordSecret: 'pg', zoneToken: TOKEN, kdsGlobalAddress: 'grpc://global:5685' }],
  ['zone-leveldb-size', { mode: 'standalone', zone: 'edge', storeLeveldbSize: '20Gi', storageClass: 'fast-ssd' }],
];

function render(f: ControlPlaneFlags): { objects: K8sObject[]; yaml: string; warnings: string[] } {
  const { options, warnings } = parseControlPlaneFlags(f, VERSION);
  const objects = controlPlaneObjects(options);
  return { objects, yaml: toYaml(objects), warnings };
}

const find = (objs: K8sObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const podOf = (w: any) => w.spec.template;

describe('kuma install control-plane', () => {
  for (const [name, flags] of CASES) {
    describe(name, () => {
      const { objects, yaml } = render(flags);

      it('matches its golden file', () => expectGolden(`control-plane/${name}.yaml`, yaml));

      it('every object is valid against the Kubernetes schemas', () => {
        for (const o of objects) validateObject(o);
      });

      it('the YAML reads back as the same objects, Namespace first', () => {
        const docs = parseAllDocuments(yaml).map((d) => d.toJS());
        expect(docs).toEqual(objects);
        expect(docs[0].kind).toBe('Namespace');
        for (const d of docs.slice(1)) if (d.kind !== 'Namespace') expect(d.metadata.namespace).toBe(flags.namespace ?? 'kuma-system');
      });

      it('services select pods that exist, and every pod mounts only volumes it declares and Secrets it is given', () => {
        const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
        for (const s of objects.filter((o) => o.kind === 'Service')) {
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          const sel = (s.spec as any).selector as Record<string, string>;
          const hit = workloads.filter((w) => Object.entries(sel).every(([k, v]) => podOf(w).metadata.labels[k] === v));
          expect(hit.length, `Service ${s.metadata.name} selects no pods`).toBe(1);
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          const containerPorts = podOf(hit[0]).spec.containers.flatMap((c: any) => c.ports.map((p: any) => p.containerPort));
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          for (const p of (s.spec as any).ports) if (p.name !== 'dp-server' || hit[0]!.metadata.name !== 'kuma-control-plane' || flags.mode !== 'global') expect(containerPorts).toContain(p.targetPort);
        }
        const givenSecrets = new Set([
          ...objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name),
          flags.tlsGeneralSecret,
          flags.tlsKdsZoneClientSecret,
          flags.storePostgresPasswordSecret?.split(':')[0],
        ]);
        for (const w of workloads) {
          const spec = podOf(w).spec;
          const claims = ((w.spec as any).volumeClaimTemplates ?? []).map((c: any) => c.metadata.name); // eslint-disable-line @typescript-eslint/no-explicit-any
          const volumes = new Set([...spec.volumes.map((v: { name: string }) => v.name), ...claims]);
          for (const c of spec.containers) {
            for (const m of c.volumeMounts) expect(volumes.has(m.name), `${w.metadata.name} mounts ${m.name}`).toBe(true);
            expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
            expect(c.resources.requests).toBeTruthy();
            expect(c.readinessProbe && c.livenessProbe).toBeTruthy();
            for (const e of c.env) if (e.valueFrom?.secretKeyRef) expect(givenSecrets.has(e.valueFrom.secretKeyRef.name)).toBe(true);
          }
          for (const v of spec.volumes) if (v.secret) expect(givenSecrets.has(v.secret.secretName), `${w.metadata.name} mounts Secret ${v.secret.secretName}`).toBe(true);
          for (const v of spec.volumes) if (v.configMap) expect(find(objects, 'ConfigMap', v.configMap.name), `ConfigMap ${v.configMap.name}`).toBeTruthy();
        }
      });

      it('the control plane probes :5680 and its config.yaml loads in the CP config loader', () => {
        const cp = objects.find((o) => o.metadata.name === 'kuma-control-plane' && (o.kind === 'Deployment' || o.kind === 'StatefulSet'))!;
        const c = podOf(cp).spec.containers[0];
        expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 5680 });
        expect(c.livenessProbe.httpGet).toEqual({ path: '/healthy', port: 5680 });
        const text = (find(objects, 'ConfigMap', 'kuma-control-plane-config')!.data as Record<string, string>)['config.yaml']!;
        const dir = mkdtempSync(join(tmpdir(), 'kuma-install-cfg-'));
        try {
          const file = join(dir, 'config.yaml');
          writeFileSync(file, text);
          const token = join(dir, 'token');
          writeFileSync(token, TOKEN);
          // The pod's env and mounts, pointed at local files (the token path exists only in the pod).
          const env: NodeJS.ProcessEnv = { HOME: dir, ...(flags.zoneToken && flags.kdsGlobalAddress ? { KUMA_MULTIZONE_ZONE_KDS_AUTH_TOKEN_FILE: token } : {}) };
          for (const e of c.env) if (e.value !== undefined && e.name.startsWith('KUMA_') && !e.name.startsWith('KUMA_STORE_') && e.name !== 'KUMA_NATIVE_CACHE') env[e.name] = e.value;
          if (flags.store === 'postgres') {
            // The postgres store is configured by env only (KUMA_STORE_*); the file must not pin another store.
            expect(text).not.toMatch(/^store:/m);
            expect(c.env.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['KUMA_STORE_TYPE', 'KUMA_STORE_POSTGRES_HOST', 'KUMA_STORE_POSTGRES_PASSWORD']));
          }
          if (flags.tlsGeneralSecret) {
            writeFileSync(join(dir, 'tls.crt'), '');
            writeFileSync(join(dir, 'tls.key'), '');
          }
          const cfg = loadConfig({ configFile: file, env });
          expect(cfg.mode).toBe(flags.mode === 'global' ? 'global' : 'zone');
          expect(cfg.general.workDir).toBe('/var/lib/kuma');
          expect(cfg.apiServer.authn.localhostIsAdmin).toBe(false);
          if (flags.mode !== 'global') expect(cfg.multizone.zone.name).toBe(flags.zone);
          if (flags.kdsGlobalAddress) expect(cfg.multizone.zone.globalAddress).toBe(flags.kdsGlobalAddress);
          if (flags.store !== 'postgres') expect(cfg.store).toMatchObject({ type: 'leveldb', leveldb: { path: '/var/lib/kuma/store' } });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }

  it('LevelDB is a StatefulSet of one with a volume claim; PostgreSQL a Deployment of --replicas with no claim', () => {
    const lv = render({ mode: 'global' }).objects;
    const sts = find(lv, 'StatefulSet', 'kuma-control-plane') as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
    expect(find(lv, 'Deployment', 'kuma-control-plane')).toBeUndefined();
    const pg = render({ mode: 'global', store: 'postgres', replicas: '3', storePostgresHost: 'pg', storePostgresPasswordSecret: 's' }).objects;
    const dep = find(pg, 'Deployment', 'kuma-control-plane') as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(dep.spec.replicas).toBe(3);
    expect(find(pg, 'StatefulSet', 'kuma-control-plane')).toBeUndefined();
    expect(dep.spec.template.spec.containers[0].env).toContainEqual({ name: 'KUMA_STORE_POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } });
  });

  it('a global has kuma-global-zone-sync (LoadBalancer 5685); a zone does not', () => {
    const g = find(render({ mode: 'global' }).objects, 'Service', 'kuma-global-zone-sync') as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(g.spec).toMatchObject({ type: 'LoadBalancer', ports: [{ port: 5685 }] });
    const cp = find(render({ mode: 'global' }).objects, 'Service', 'kuma-control-plane') as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(cp.spec.ports.map((p: { port: number }) => p.port)).toEqual([5680, 5681, 5682, 5678]);
    expect(find(render({ mode: 'zone', zone: 'z' }).objects, 'Service', 'kuma-global-zone-sync')).toBeUndefined();
  });

  it('the zone token becomes Secret kuma-zone-token, mounted by the CP and the zone proxies', () => {
    const { objects } = render(CASES.find(([n]) => n === 'zone-ingress-egress')![1]);
    expect(find(objects, 'Secret', 'kuma-zone-token')).toMatchObject({ stringData: { token: TOKEN } });
    for (const name of ['kuma-control-plane', 'kuma-ingress', 'kuma-egress']) {
      const w = objects.find((o) => o.metadata.name === name && o.kind !== 'Service' && (o.kind === 'Deployment' || o.kind === 'StatefulSet'))!;
      expect(podOf(w).spec.volumes, name).toContainEqual({ name: 'zone-token', secret: { secretName: 'kuma-zone-token' } });
    }
  });

  it('warns on stderr (not an error) when a federated zone has no zone token or the zone proxies cannot verify the CP', () => {
    const { warnings } = render({ mode: 'zone', zone: 'z', kdsGlobalAddress: 'grpc://g:5685', egressEnabled: true, set: ['dpServer.authn.zoneProxy.type=none'] });
    expect(warnings.join('\n')).toMatch(/--zone-token-file/);
    expect(warnings.join('\n')).toMatch(/--tls-general-secret/);
  });
});

describe('the schema check itself', () => {
  it('refuses what the API server would refuse (a string port, a missing container image type, a bad enum)', () => {
    const { objects } = render({ mode: 'global' });
    const svc = structuredClone(find(objects, 'Service', 'kuma-control-plane')!) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    svc.spec.ports[0].port = '5680';
    expect(() => validateObject(svc)).toThrow(/port must be integer/);
    const sts = structuredClone(find(objects, 'StatefulSet', 'kuma-control-plane')!) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    delete sts.spec.template.spec.containers[0].name;
    expect(() => validateObject(sts)).toThrow(/name/);
    expect(() => validateObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).toThrow(/no kubernetes-models class/);
  });
});
