/**
 * MeshPassthrough on real Envoy with real iptables: the application's outbound TCP is redirected
 * to the sidecar's `outbound:passthrough:ipv4` (redirectPortOutbound 15001), whose ORIGINAL_DST
 * cluster connects to the address the application dialled, or whose blackhole closes it, as the
 * passthroughMode (All / Matched / None) says. The Dataplane is DualStack: IPv6 traffic (ip6tables)
 * goes through `outbound:passthrough:ipv6` the same way, and Matched sends each entry through its
 * own `meshpassthrough_tcp_<value>_<port>` cluster.
 *
 * Everything runs inside a network namespace this suite creates (`kuma-pt-<pid>`; loopback up,
 * 198.18.0.10 and 198.18.0.11 on it, one HTTP server each) and deletes afterwards; the host's
 * routes and tables are never touched. Only the client's traffic is intercepted: the iptables rule
 * matches the uid `nobody`, and the client is curl run as nobody (Envoy, the CP and the servers run
 * as root, so their own connections pass untouched). Needs root, `ip netns` and iptables (make deps
 * installs it): without them the suite fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, removeDir, tempDir } from './harness';
import { NS_CP, NetNs } from './netns';

const ns = new NetNs(`kuma-pt-${process.pid}`);
const A = '198.18.0.10';
const B = '198.18.0.11';
/** An IPv6 upstream: the Dataplane is DualStack, so ip6tables hands its traffic to outbound:passthrough:ipv6. */
const C6 = 'fd00:18::12';
const UPSTREAM_PORT = 8080;
const CP = NS_CP;
const ADMIN = 19901;
const API = `http://127.0.0.1:${CP.api}`;
const curl = ns.curl.bind(ns);

/** The application's request: curl as `nobody`, so iptables sends it to the sidecar. */
async function appGet(ip: string): Promise<{ ok: boolean; body: string; exit: number | null }> {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const r = await ns.run(['runuser', '-u', 'nobody', '--', 'curl', '-s', '-m', '3', `http://${host}:${UPSTREAM_PORT}/`]);
  return { ok: r.code === 0 && r.stdout.startsWith('upstream '), body: r.stdout, exit: r.code };
}

/** A counter of the passthrough listener's chains: proof a request went through Envoy, not around it. */
async function statSum(prefix: string): Promise<number> {
  const r = await curl('GET', `http://127.0.0.1:${ADMIN}/stats?filter=${encodeURIComponent(prefix)}`);
  return r.text.split('\n').reduce((n, l) => n + (l.includes('downstream_cx_total') ? Number(l.split(':')[1]) || 0 : 0), 0);
}

describe('MeshPassthrough: the transparent-proxy passthrough on real Envoy and iptables', () => {
  const home = tempDir('kuma-pt-home-');

  const putPolicy = async (spec: unknown) => {
    const r = await curl('PUT', `${API}/meshes/default/meshpassthroughs/pt`, { type: 'MeshPassthrough', mesh: 'default', name: 'pt', spec });
    expect([200, 201], r.text).toContain(r.status);
  };

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('mesh-passthrough.test.ts needs root (ip netns, iptables)');
    ns.create();
    for (const ip of [A, B]) ns.exec(['ip', 'addr', 'add', `${ip}/32`, 'dev', 'lo']);
    ns.exec(['ip', '-6', 'addr', 'add', `${C6}/128`, 'dev', 'lo', 'nodad']);
    for (const tables of ['iptables', 'ip6tables']) {
      ns.exec([tables, '-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-m', 'owner', '--uid-owner', 'nobody', '-j', 'REDIRECT', '--to-ports', '15001']);
    }
    for (const [ip, tag] of [[A, 'A'], [B, 'B'], [C6, 'C6']]) {
      ns.spawn(`upstream-${tag}`, [process.execPath, '-e', `require('node:http').createServer((q, s) => s.end('upstream ${tag}')).listen(${UPSTREAM_PORT}, '${ip}')`], home);
    }
    await ns.startZoneCp(home);
    ns.startDataplane(home, 'web-1', `type: Dataplane
mesh: default
name: web-1
networking:
  address: 127.0.0.1
  inbound:
  - port: 20080
    servicePort: 20081
    tags: { kuma.io/service: web, kuma.io/protocol: tcp }
  transparentProxying:
    redirectPortInbound: 15006
    redirectPortOutbound: 15001
    ipFamilyMode: DualStack
`, ADMIN);
    await eventually(async () => expect((await curl('GET', `http://127.0.0.1:${ADMIN}/ready`)).text).toContain('LIVE'), 40_000, 250);
  }, 120_000);

  afterAll(async () => {
    await ns.destroy();
    removeDir(home);
  });

  it('without a policy (Mesh passthrough on by default) every destination is reached through the original-dst cluster', async () => {
    const dump = await curl('GET', `http://127.0.0.1:${ADMIN}/config_dump?resource=dynamic_listeners`);
    for (const l of ['outbound:passthrough:ipv4', 'outbound:passthrough:ipv6', 'inbound:passthrough:ipv4', 'inbound:passthrough:ipv6']) expect(dump.text).toContain(`"name": "${l}"`);
    expect(dump.text).toContain('"use_original_dst": true');
    const before = await statSum('outbound_passthrough_ipv4');
    const before6 = await statSum('outbound_passthrough_ipv6');
    await eventually(async () => {
      expect((await appGet(A)).body).toBe('upstream A');
      expect((await appGet(B)).body).toBe('upstream B');
      expect((await appGet(C6)).body).toBe('upstream C6');
    }, 20_000, 300);
    expect(await statSum('outbound_passthrough_ipv4')).toBeGreaterThan(before);
    expect(await statSum('outbound_passthrough_ipv6')).toBeGreaterThan(before6);
  }, 60_000);

  it('Matched lets only the listed IP:port out, each through its own cluster; the rest is closed', async () => {
    await putPolicy({
      targetRef: { kind: 'Mesh' },
      default: { passthroughMode: 'Matched', appendMatch: [{ type: 'IP', value: A, port: UPSTREAM_PORT, protocol: 'tcp' }, { type: 'CIDR', value: 'fd00:18::/64', port: UPSTREAM_PORT, protocol: 'tcp' }] },
    });
    await eventually(async () => {
      expect((await appGet(B)).ok).toBe(false);
      expect((await appGet(A)).body).toBe('upstream A');
      expect((await appGet(C6)).body).toBe('upstream C6');
    }, 20_000, 300);
    const stats = (await curl('GET', `http://127.0.0.1:${ADMIN}/stats?filter=meshpassthrough_tcp_`)).text;
    // Envoy names a cluster's stats by its alt_stat_name (the name with every other character as "_").
    const cx = (cluster: string) => Number(new RegExp(`cluster\\.${cluster.replace(/[^a-zA-Z0-9_-]/g, '_')}\\.upstream_cx_total: (\\d+)`).exec(stats)?.[1] ?? 0);
    expect(cx(`meshpassthrough_tcp_${A}_${UPSTREAM_PORT}`)).toBeGreaterThan(0);
    expect(cx(`meshpassthrough_tcp_fd00:18::/64_${UPSTREAM_PORT}`)).toBeGreaterThan(0);
  }, 60_000);

  it('None closes every destination', async () => {
    await putPolicy({ targetRef: { kind: 'Mesh' }, default: { passthroughMode: 'None' } });
    await eventually(async () => {
      expect((await appGet(A)).ok).toBe(false);
      expect((await appGet(B)).ok).toBe(false);
    }, 20_000, 300);
  }, 60_000);

  it('a Matched entry with a field Kuma rejects is a 400 naming the field, and changes nothing', async () => {
    const r = await curl('PUT', `${API}/meshes/default/meshpassthroughs/pt`, { type: 'MeshPassthrough', mesh: 'default', name: 'pt', spec: { targetRef: { kind: 'Mesh' }, default: { passthroughMode: 'Matched', appendMatch: [{ type: 'IP', value: '300.1.1.1', protocol: 'tcp' }] } } });
    expect(r.status).toBe(400);
    expect(r.text).toContain('appendMatch[0].value');
    expect((await appGet(A)).ok).toBe(false);
  }, 30_000);

  it('deleting the policy brings the Mesh default (All) back', async () => {
    expect((await curl('DELETE', `${API}/meshes/default/meshpassthroughs/pt`)).status).toBe(200);
    await eventually(async () => {
      expect((await appGet(A)).body).toBe('upstream A');
      expect((await appGet(B)).body).toBe('upstream B');
    }, 20_000, 300);
  }, 60_000);
});
