/**
 * Every golden case, run through the whole sidecar profile, must be config a real Envoy accepts:
 * the resources go into a binary bootstrap (static listeners, clusters, secrets; EDS and SDS over
 * an ADS cluster that is never dialled) checked with `envoy --mode validate`. Each
 * ClusterLoadAssignment is validated as the load_assignment of an extra STATIC cluster.
 *
 * Envoy comes from test/support/envoy.ts; without one the test fails.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { Bootstrap } from '../../../proto/gen/envoy/config/bootstrap/v3/bootstrap';
import { Cluster_DiscoveryType } from '../../../proto/gen/envoy/config/cluster/v3/cluster';
import { ApiConfigSource_ApiType, ApiVersion } from '../../../proto/gen/envoy/config/core/v3/config_source';
import { accessLogPipePath } from '../../../internal/core/access-log-pipe';
import { createSidecarMemo } from '../../../internal/xds/generators/memo';
import { generateSidecar } from '../../../internal/xds/generators/sidecar/profile';
import { envoyBinary } from '../../support/envoy';
import { CASES } from './cases';
import { type Case, fixture } from './golden';


const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-xds-validate-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A real self-signed identity for the case (static secrets are parsed by Envoy). */
function pki(): { certPem: string; keyPem: string } | undefined {
  try {
    const key = path.join(tmp, 'key.pem');
    const cert = path.join(tmp, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=kuma-test', '-addext', 'subjectAltName=URI:spiffe://default/web'], { stdio: 'ignore' });
    return { certPem: fs.readFileSync(cert, 'utf8'), keyPem: fs.readFileSync(key, 'utf8') };
  } catch {
    return undefined;
  }
}

function bootstrapOf(c: Case, realPki: { certPem: string; keyPem: string } | undefined): Uint8Array {
  const { proxy, ctx } = fixture(c);
  const p = realPki && proxy.identity ? { ...proxy, identity: { ...proxy.identity, ...realPki } } : proxy;
  const x = realPki && ctx.caCertsPem ? { ...ctx, caCertsPem: realPki.certPem } : ctx;
  const res = generateSidecar(p, x, createSidecarMemo());
  const claClusters = res.endpoints.map((cla) => ({
    name: `cla:${cla.clusterName}`,
    clusterDiscoveryType: { $case: 'type' as const, value: Cluster_DiscoveryType.STATIC },
    connectTimeout: { seconds: '1', nanos: 0 },
    loadAssignment: { ...cla, clusterName: `cla:${cla.clusterName}` },
  }));
  const bootstrap = Bootstrap.fromPartial({
    node: { id: `${proxy.dataplane.mesh}.${proxy.dataplane.name}`, cluster: 'web' },
    admin: { address: { address: { $case: 'socketAddress', value: { address: '127.0.0.1', portSpecifier: { $case: 'portValue', value: 19901 } } } } },
    dynamicResources: {
      adsConfig: {
        apiType: ApiConfigSource_ApiType.GRPC,
        transportApiVersion: ApiVersion.V3,
        grpcServices: [{ targetSpecifier: { $case: 'envoyGrpc', value: { clusterName: 'ads_cluster' } } }],
      },
    },
    staticResources: {
      listeners: res.listeners,
      clusters: [
        ...res.clusters,
        ...claClusters,
        {
          name: 'ads_cluster',
          clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.STATIC },
          connectTimeout: { seconds: '1', nanos: 0 },
          typedExtensionProtocolOptions: res.clusters.find((cl) => cl.name === 'unused')?.typedExtensionProtocolOptions ?? {},
          loadAssignment: {
            clusterName: 'ads_cluster',
            endpoints: [{ lbEndpoints: [{ hostIdentifier: { $case: 'endpoint', value: { address: { address: { $case: 'socketAddress', value: { address: '127.0.0.1', portSpecifier: { $case: 'portValue', value: 5678 } } } } } } }] }],
          },
        },
      ],
      secrets: res.secrets,
    },
  });
  return Bootstrap.encode(bootstrap).finish();
}

function validate(envoy: string, file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(envoy, ['--mode', 'validate', '-c', file, '--log-level', 'warning', '--base-id', String(Math.floor(Math.random() * 1e6))], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const all: { label: string; c: Case }[] = [];
for (const [generator, cases] of Object.entries(CASES)) for (const c of cases) all.push({ label: `${generator}/${c.name}`, c });

function heldAccessLogPipes(dataplanes: readonly { name: string; mesh: string }[]): number[] {
  const fds: number[] = [];
  for (const p of new Set(dataplanes.map((d) => accessLogPipePath(d.name, d.mesh)))) {
    if (fs.statSync(p, { throwIfNoEntry: false })?.isFIFO()) fds.push(fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
  }
  return fds;
}

describe('generated sidecar config is accepted by Envoy', () => {
  it('validates every golden case with envoy --mode validate', { timeout: 600_000 }, async () => {
    const envoy = envoyBinary();
    const realPki = pki();
    // MeshAccessLog Tcp backends write into kuma-dp's FIFO; a FIFO left by a killed kuma-dp has
    // no reader, and Envoy would block opening it. Hold a reader open while Envoy validates.
    const readers = heldAccessLogPipes(all.map(({ c }) => fixture(c).proxy.dataplane));
    onTestFinished(() => readers.forEach((fd) => fs.closeSync(fd)));
    // A few Envoys at a time: each takes a core for a moment, and 150 at once thrash a 2-core CI machine.
    const results: ({ label: string } & Awaited<ReturnType<typeof validate>>)[] = [];
    let next = 0;
    const worker = async () => {
      while (next < all.length) {
        const { label, c } = all[next++]!;
        const file = path.join(tmp, `${label.replace(/\//g, '__')}.pb`);
        fs.writeFileSync(file, bootstrapOf(c, realPki));
        results.push({ label, ...(await validate(envoy, file)) });
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    const failed = results.filter((r) => r.code !== 0).map((r) => `${r.label} (exit ${r.code}):\n${r.output.trim().split('\n').slice(-5).join('\n')}`);
    expect(failed, failed.join('\n\n')).toEqual([]);
    // Deprecated fields work today and break on a later Envoy: none may be used.
    const deprecated = results.filter((r) => /deprecated/i.test(r.output)).map((r) => `${r.label}:\n${r.output.trim()}`);
    expect(deprecated, deprecated.join('\n\n')).toEqual([]);
  });
});
