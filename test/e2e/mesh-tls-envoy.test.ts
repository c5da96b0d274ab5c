/**
 * MeshTLS on real Envoy sidecars of one zone CP, in a mesh with builtin mTLS:
 *
 * - a mesh-wide `tlsVersion.min: TLS13` makes the server sidecar's inbound refuse a TLS 1.2
 *   handshake with a protocol_version alert, while a TLS 1.3 handshake with a mesh identity
 *   certificate (issued in this test from the mesh CA) completes and gets the app's answer;
 * - mesh traffic client sidecar -> server sidecar keeps working (both sides speak TLS 1.3);
 * - a MeshTLS `mode: Permissive` targeting the server's Dataplane lets plaintext through although the Mesh
 *   backend is STRICT; with the Mesh backend PERMISSIVE, a MeshTLS `mode: Strict` refuses it.
 *
 * - `tlsVersion.max: TLS12` with one cipher: sidecars negotiate TLS 1.2 with that cipher, and a
 *   TLS 1.2 handshake offering another cipher is refused.
 *
 * The handshakes go to the server's inbound port directly: that listener carries the
 * DownstreamTlsContext under test.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueIdentityCert } from '../../internal/ca/identity-cert';
import { type ControlPlane, type Proc, type Proxy, api, eventually, freePort, kumactlHome, removeDir, runKuma, spawnKuma, startCp, startProxy } from './harness';

const MESH = (mode: 'STRICT' | 'PERMISSIVE') => ({ type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin', mode }] } });

const POLICIES = `type: MeshTrafficPermission
mesh: default
name: allow-all
spec:
  targetRef: { kind: Mesh }
  from:
  - targetRef: { kind: Mesh }
    default: { action: Allow }
---
type: MeshTLS
mesh: default
name: tls13-only
spec:
  targetRef: { kind: Mesh }
  from:
  - targetRef: { kind: Mesh }
    default:
      tlsVersion: { min: TLS13 }
`;

const TLS12_CIPHER = `type: MeshTLS
mesh: default
name: tls13-only
spec:
  targetRef: { kind: Mesh }
  from:
  - targetRef: { kind: Mesh }
    default:
      tlsVersion: { max: TLS12 }
      tlsCiphers: [ECDHE-ECDSA-AES256-GCM-SHA384]
`;

const SERVER_MODE = (mode: 'Strict' | 'Permissive') => `type: MeshTLS
mesh: default
name: server-mode
spec:
  targetRef: { kind: Dataplane, name: mt-server-1 }
  from:
  - targetRef: { kind: Mesh }
    default: { mode: ${mode} }
`;

interface Identity {
  ca: string;
  cert: string;
  key: string;
}

interface Handshake {
  protocol: string | null;
  response: string;
}

/** A TLS handshake to the inbound with `version` as the only offered version, then one HTTP/1.1 GET. */
function handshake(port: number, version: tls.SecureVersion, id: Identity, alpn?: string, ciphers?: string): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    let protocol: string | null = null;
    let response = '';
    const s = tls.connect({
      host: '127.0.0.1',
      port,
      minVersion: version,
      maxVersion: version,
      ca: id.ca,
      cert: id.cert,
      key: id.key,
      ...(alpn ? { ALPNProtocols: [alpn] } : {}),
      ...(ciphers ? { ciphers } : {}),
      // The server's identity is a SPIFFE URI SAN, not a host name.
      checkServerIdentity: (_host, cert) => (cert.subjectaltname?.includes('URI:spiffe://default/server') ? undefined : new Error(`unexpected server identity ${cert.subjectaltname}`)),
    });
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
    s.on('secureConnect', () => {
      protocol = s.getProtocol();
      s.write('GET /hello HTTP/1.1\r\nHost: server\r\nConnection: close\r\n\r\n');
    });
    s.on('data', (d) => (response += d.toString()));
    s.on('error', reject);
    s.on('close', () => (protocol ? resolve({ protocol, response }) : reject(new Error('closed before the handshake completed'))));
  });
}

/** Status of a plaintext GET, or the error's message when the connection is refused or reset. */
async function plaintext(port: number): Promise<number | string> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/hello`, { signal: AbortSignal.timeout(5000) });
    await r.text();
    return r.status;
  } catch (e) {
    return String((e as Error).cause ?? e);
  }
}

describe('MeshTLS on real Envoy', () => {
  let cp: ControlPlane;
  let home: string;
  let id: Identity;
  const procs: Proc[] = [];
  const proxies: Record<string, Proxy> = {};
  const ports: Record<string, number> = {};

  const apply = async (name: string, yaml: string) => {
    const file = join(home, `${name}.yaml`);
    writeFileSync(file, yaml);
    const r = await runKuma(['apply', '-f', file], { home });
    expect(r.code, r.stderr).toBe(0);
  };

  /** The server's inbound listener in Envoy's dynamic listeners (JSON text). */
  const serverInbound = async () => {
    const r = await fetch(`http://127.0.0.1:${proxies.server!.admin}/config_dump?resource=dynamic_listeners`);
    const dump = (await r.json()) as { configs: { active_state?: { listener: { name: string } } }[] };
    return JSON.stringify(dump.configs.find((c) => c.active_state?.listener.name.endsWith(`:${ports.serverIn}`))?.active_state?.listener ?? {});
  };

  beforeAll(async () => {
    for (const k of ['dp', 'serverIn', 'serverApp', 'clientIn', 'clientApp', 'outServer']) ports[k] = await freePort();
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_PORT: String(ports.dp) } });
    home = await kumactlHome(cp);
    expect((await api(cp, 'PUT', '/meshes/default', MESH('STRICT'))).status).toBe(200);
    const secret = async (name: string) =>
      eventually(async () => {
        const r = await api(cp, 'GET', `/meshes/default/secrets/${name}`);
        expect(r.status).toBe(200);
        return Buffer.from(r.json.data, 'base64').toString();
      }, 15_000);
    const caCertPem = await secret('default.ca-builtin-cert-ca-1');
    const caKeyPem = await secret('default.ca-builtin-key-ca-1');
    const issued = await issueIdentityCert({ caCertPem, caKeyPem, mesh: 'default', services: ['tester'], tags: {}, validityMs: 3_600_000, now: new Date() });
    id = { ca: caCertPem, cert: issued.certPem, key: issued.keyPem };
    await apply('policies', POLICIES);

    const dataplane = (svc: string, extra = '') => `type: Dataplane
mesh: default
name: mt-${svc}-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${ports[`${svc}In`]}
    servicePort: ${ports[`${svc}App`]}
    tags: { kuma.io/service: ${svc}, kuma.io/protocol: http }
${extra}`;
    const yamls: Record<string, string> = {
      server: dataplane('server'),
      client: dataplane('client', `  outbound:\n  - port: ${ports.outServer}\n    tags: { kuma.io/service: server }\n`),
    };
    await Promise.all(
      Object.entries(yamls).map(async ([svc, yaml]) => {
        procs.push(spawnKuma(['demo-app', 'http', '--port', String(ports[`${svc}App`]), '--service', svc, '--instance', `mt-${svc}-1`], { home }));
        const tok = await runKuma(['generate', 'dataplane-token', '--mesh', 'default', '--name', `mt-${svc}-1`, '--valid-for', '1h'], { home });
        expect(tok.code, tok.stderr).toBe(0);
        const tokenFile = join(home, `${svc}.token`);
        writeFileSync(tokenFile, tok.stdout.trim());
        proxies[svc] = await startProxy({ cp, home, name: `mt-${svc}-1`, yaml, tokenFile });
      }),
    );
  }, 90_000);

  afterAll(async () => {
    for (const p of Object.values(proxies)) await p.dp.stop('SIGKILL');
    for (const p of procs) await p.stop('SIGKILL');
    await cp?.kill9();
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('tlsVersion.min TLS13: a TLS 1.2 handshake to the inbound gets a protocol_version alert, TLS 1.3 reaches the app', async () => {
    await eventually(async () => expect(await serverInbound()).toContain('"tls_minimum_protocol_version":"TLSv1_3"'), 20_000);
    await expect(handshake(ports.serverIn!, 'TLSv1.2', id)).rejects.toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    const ok = await eventually(() => handshake(ports.serverIn!, 'TLSv1.3', id), 10_000);
    expect(ok.protocol).toBe('TLSv1.3');
    expect(ok.response).toMatch(/^HTTP\/1\.1 200 /);
    expect(ok.response).toContain('"service":"server"');
  });

  it('mesh traffic client -> server keeps working over TLS 1.3 on both sides', async () => {
    const r = await eventually(async () => {
      const r = await fetch(`http://127.0.0.1:${ports.outServer}/hello`);
      expect(r.status).toBe(200);
      return r.json();
    }, 20_000);
    expect(r).toMatchObject({ service: 'server', instance: 'mt-server-1' });
    // The client sidecar negotiated TLS 1.3 with the server sidecar, never 1.2.
    const stats = await (await fetch(`http://127.0.0.1:${proxies.client!.admin}/stats?filter=^cluster\\.server\\.ssl\\.`)).text();
    expect(Number(/cluster\.server\.ssl\.versions\.TLSv1\.3: (\d+)/.exec(stats)?.[1] ?? 0)).toBeGreaterThan(0);
    expect(stats).not.toMatch(/cluster\.server\.ssl\.versions\.TLSv1\.2: [1-9]/);
  });

  it('mode Permissive on the inbound lets plaintext through a STRICT mesh; mode Strict refuses it in a PERMISSIVE mesh', async () => {
    // STRICT mesh, no mode: plaintext cannot pass the TLS chain.
    expect(await plaintext(ports.serverIn!)).not.toBe(200);
    await apply('server-permissive', SERVER_MODE('Permissive'));
    await eventually(async () => expect(await plaintext(ports.serverIn!)).toBe(200), 20_000);
    // Mesh traffic still takes the TLS chain (matched by Kuma's ALPN), which still refuses TLS 1.2.
    expect((await fetch(`http://127.0.0.1:${ports.outServer}/hello`)).status).toBe(200);
    await expect(handshake(ports.serverIn!, 'TLSv1.2', id, 'kuma')).rejects.toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    expect((await handshake(ports.serverIn!, 'TLSv1.3', id, 'kuma')).response).toMatch(/^HTTP\/1\.1 200 /);

    expect((await api(cp, 'PUT', '/meshes/default', MESH('PERMISSIVE'))).status).toBe(200);
    await apply('server-strict', SERVER_MODE('Strict'));
    await eventually(async () => expect(await plaintext(ports.serverIn!)).not.toBe(200), 20_000);
    expect(await serverInbound()).not.toContain('tls_inspector');
    expect((await fetch(`http://127.0.0.1:${ports.outServer}/hello`)).status).toBe(200);
  });

  it('tlsVersion.max TLS12 with one cipher: mesh traffic negotiates exactly that, another cipher is refused', async () => {
    await apply('tls12-cipher', TLS12_CIPHER);
    await eventually(async () => expect(await serverInbound()).toContain('"cipher_suites":["ECDHE-ECDSA-AES256-GCM-SHA384"]'), 20_000);
    const ok = await handshake(ports.serverIn!, 'TLSv1.2', id, 'kuma', 'ECDHE-ECDSA-AES256-GCM-SHA384');
    expect(ok.protocol).toBe('TLSv1.2');
    expect(ok.response).toMatch(/^HTTP\/1\.1 200 /);
    await expect(handshake(ports.serverIn!, 'TLSv1.2', id, 'kuma', 'ECDHE-ECDSA-AES128-GCM-SHA256')).rejects.toMatchObject({ code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' });
    const stat = async () => {
      const stats = await (await fetch(`http://127.0.0.1:${proxies.client!.admin}/stats?filter=^cluster\\.server\\.ssl\\.ciphers`)).text();
      return Number(/ECDHE-ECDSA-AES256-GCM-SHA384: (\d+)/.exec(stats)?.[1] ?? 0);
    };
    // The client sidecar's pooled TLS 1.3 connections predate the change: count new handshakes.
    const before = await stat();
    await eventually(async () => {
      expect((await fetch(`http://127.0.0.1:${ports.outServer}/hello`, { headers: { connection: 'close' } })).status).toBe(200);
      expect(await stat()).toBeGreaterThan(before);
    }, 20_000);
  });
});
