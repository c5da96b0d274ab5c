/**
 * `kuma install transparent-proxy` / `kuma uninstall transparent-proxy` on real iptables and real
 * Envoy: after install, an application reaches a mesh service at its VIP (240.x:80) and resolves
 * `backend.mesh` through a nameserver address that does not exist, both only because the rules send
 * its TCP to Envoy's outbound port (15001, whose use_original_dst hands the connection to the
 * `outbound:<VIP>:80` listener) and its DNS to kuma dp's resolver (15053, with the raw table's
 * conntrack zones split). After uninstall both fail again and no KUMA_ chain or rule is left.
 *
 * Everything runs inside a network namespace this suite creates (`kuma-tpi-<pid>`) and deletes: a
 * veth interface carries 10.203.0.1/24 and the route to 240.0.0.0/4, so the VIPs and the fake
 * nameserver 10.203.0.53 lead nowhere without the rules. The CP, both sidecars and the backend run
 * as root, which the install excludes (--kuma-dp-user root); the application is curl / node run as
 * `nobody`. Needs root, `ip netns`, iptables and Envoy: without them the suite fails.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildQuery, parseResponse } from '../../internal/dns/dns-wire';
import { envoyBinary, eventually, kumaBinary, removeDir, tempDir } from './harness';
import { NS_CP, NetNs } from './netns';

const ns = new NetNs(`kuma-tpi-${process.pid}`);
const CP = NS_CP;
const API = `http://127.0.0.1:${CP.api}`;
const WEB_ADMIN = 19901;
const BACKEND_ADMIN = 19902;
const DNS_PORT = 15053;
const FAKE_NAMESERVER = '10.203.0.53';
const curl = ns.curl.bind(ns);

const kuma = (args: string[]) => ns.run([kumaBinary(), ...args], { timeoutMs: 30_000 });
const natTable = async () => (await ns.run(['iptables-save', '-t', 'nat'])).stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n');
const kumaLines = (save: string) => save.split('\n').filter((l) => l.includes('KUMA_') || l.includes('kuma/mesh/transparent/proxy/'));

/** The application's HTTP request, as `nobody` (root is the excluded kuma-dp user). */
async function appGet(url: string, user = 'nobody'): Promise<{ ok: boolean; body: string }> {
  const r = await ns.run(['runuser', '-u', user, '--', 'curl', '-s', '-m', '3', url]);
  return { ok: r.code === 0, body: r.stdout };
}

/** A DNS query for `name` over UDP to `server`:`port`, as `user`; the A answers, or an error. */
async function dnsQuery(server: string, port: number, name: string, user = 'nobody'): Promise<string[]> {
  const script = `
const s = require('node:dgram').createSocket('udp4');
const t = setTimeout(() => { console.error('no answer'); process.exit(2); }, 2000);
s.on('message', (m) => { clearTimeout(t); process.stdout.write(m.toString('hex')); s.close(); });
s.send(Buffer.from(process.argv[1], 'hex'), Number(process.argv[3]), process.argv[2]);`;
  const r = await ns.run(['runuser', '-u', user, '--', process.execPath, '-e', script, buildQuery(0x7e57, name).toString('hex'), server, String(port)]);
  if (r.code !== 0) throw new Error(`DNS query for ${name} to ${server}:${port} failed: ${r.stderr.trim()}`);
  return parseResponse(Buffer.from(r.stdout, 'hex')).answers.map((a) => a.ip);
}

describe('kuma install transparent-proxy: real iptables in a network namespace, real Envoy', () => {
  const home = tempDir('kuma-tpi-home-');
  let vip = '';

  const dataplane = (name: string, yaml: string, admin: number, extra: string[] = []) => ns.startDataplane(home, name, yaml, admin, extra);

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('transparent-proxy-install.test.ts needs root (ip netns, iptables)');
    for (const tool of ['iptables-restore', 'iptables-save']) {
      const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
      if (r.error || r.status !== 0) throw new Error(`transparent-proxy-install.test.ts needs ${tool} (apt-get install iptables): ${r.error?.message ?? r.stderr}`);
    }
    envoyBinary(); // fails the suite here, before any namespace exists, when there is no Envoy
    ns.create();
    // A veth pair with both ends here: what leaves kt0 arrives at kt1, which forwards nothing.
    ns.exec(['ip', 'link', 'add', 'kt0', 'type', 'veth', 'peer', 'name', 'kt1']);
    ns.exec(['ip', 'addr', 'add', '10.203.0.1/24', 'dev', 'kt0']);
    for (const dev of ['kt0', 'kt1']) ns.exec(['ip', 'link', 'set', dev, 'up']);
    ns.exec(['ip', 'route', 'add', '240.0.0.0/4', 'dev', 'kt0']);
    ns.spawn('backend-app', [process.execPath, '-e', `require('node:http').createServer((q, s) => s.end('backend says hi')).listen(20091, '127.0.0.1')`], home);
    await ns.startZoneCp(home);
    dataplane('backend-1', `type: Dataplane
mesh: default
name: backend-1
networking:
  address: 127.0.0.1
  inbound:
  - port: 20090
    servicePort: 20091
    tags: { kuma.io/service: backend, kuma.io/protocol: http }
`, BACKEND_ADMIN);
    dataplane('web-1', `type: Dataplane
mesh: default
name: web-1
networking:
  address: 127.0.0.1
  inbound:
  - port: 20080
    servicePort: 20081
    tags: { kuma.io/service: web, kuma.io/protocol: http }
  transparentProxying:
    redirectPortInbound: 15006
    redirectPortOutbound: 15001
`, WEB_ADMIN, ['--dns-enabled', '--dns-port', String(DNS_PORT)]);
    for (const admin of [WEB_ADMIN, BACKEND_ADMIN]) {
      await eventually(async () => expect((await curl('GET', `http://127.0.0.1:${admin}/ready`)).text).toContain('LIVE'), 40_000, 250);
    }
    // The VIP as kuma dp's resolver has it (asked directly, as root), and Envoy listening for it.
    vip = await eventually(async () => {
      const [ip] = await dnsQuery('127.0.0.1', DNS_PORT, 'backend.mesh', 'root');
      expect(ip).toMatch(/^24\d\./);
      return ip!;
    }, 30_000, 300);
    await eventually(async () => expect((await curl('GET', `http://127.0.0.1:${WEB_ADMIN}/config_dump?resource=dynamic_listeners`)).text).toContain(`outbound:${vip}:80`), 20_000, 300);
  }, 150_000);

  afterAll(async () => {
    await ns.destroy();
    removeDir(home);
  });

  it('before install neither the VIP nor the fake nameserver answers the application', async () => {
    expect((await appGet(`http://${vip}/`)).ok).toBe(false);
    await expect(dnsQuery(FAKE_NAMESERVER, 53, 'backend.mesh')).rejects.toThrow(/no answer/);
  }, 30_000);

  it('--dry-run prints the iptables-restore input with Kuma\'s chains and changes nothing', async () => {
    const before = await natTable();
    const r = await kuma(['install', 'transparent-proxy', '--kuma-dp-user', 'root', '--redirect-all-dns-traffic', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    for (const chain of ['KUMA_MESH_INBOUND', 'KUMA_MESH_INBOUND_REDIRECT', 'KUMA_MESH_OUTBOUND', 'KUMA_MESH_OUTBOUND_REDIRECT']) expect(r.stdout).toContain(`:${chain} - [0:0]`);
    expect(r.stdout).toContain('-j REDIRECT --to-ports 15001');
    expect(await natTable()).toBe(before);
  }, 30_000);

  it('a bad flag is an error naming it, exits non-zero and writes nothing', async () => {
    const before = await natTable();
    const r = await kuma(['install', 'transparent-proxy', '--redirect-outbound-port', '99999', '--exclude-outbound-ips', 'nope']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--redirect-outbound-port');
    expect(r.stderr).toContain('--exclude-outbound-ips');
    expect(await natTable()).toBe(before);
    const unknown = await kuma(['install', 'transparent-proxy', '--no-such-flag']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('unknown flag: --no-such-flag');
  }, 30_000);

  it('after install the application reaches the VIP through Envoy and resolves through kuma dp; installing twice changes nothing', async () => {
    const args = ['install', 'transparent-proxy', '--kuma-dp-user', 'root', '--redirect-all-dns-traffic', '--redirect-dns-port', String(DNS_PORT), '--exclude-inbound-ports', '22'];
    const first = await kuma(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Transparent proxy set up successfully');
    const once = await natTable();
    expect(once).toContain(':KUMA_MESH_OUTBOUND_REDIRECT - [0:0]');
    expect(once).toMatch(/-A KUMA_MESH_OUTBOUND_REDIRECT -p tcp .*-j REDIRECT --to-ports 15001/);
    // DNS redirection splits conntrack zones in the raw table, as Kuma does.
    expect((await ns.run(['iptables-save', '-t', 'raw'])).stdout).toMatch(/-A OUTPUT -p udp .*--dport 53 .*-j CT --zone 2/);
    // dualstack (the default) writes the same chains with ip6tables.
    expect((await ns.run(['ip6tables-save', '-t', 'nat'])).stdout).toMatch(/-A KUMA_MESH_OUTBOUND_REDIRECT -p tcp .*-j REDIRECT --to-ports 15001/);
    const rawOnce = (await ns.run(['iptables-save', '-t', 'raw'])).stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    const second = await kuma(args);
    expect(second.code, second.stderr).toBe(0);
    expect(await natTable()).toBe(once);
    expect((await ns.run(['iptables-save', '-t', 'raw'])).stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n')).toBe(rawOnce);

    await eventually(async () => expect(await appGet(`http://${vip}/`)).toEqual({ ok: true, body: 'backend says hi' }), 15_000, 300);
    expect(await dnsQuery(FAKE_NAMESERVER, 53, 'backend.mesh')).toEqual([vip]);
    // The kuma-dp user's own traffic is not redirected: root dialling the VIP still goes nowhere.
    expect((await appGet(`http://${vip}/`, 'root')).ok).toBe(false);
  }, 60_000);

  it('uninstall removes every KUMA_ chain and rule, and the VIP is unreachable again; a second uninstall has nothing to do', async () => {
    const r = await kuma(['uninstall', 'transparent-proxy']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Transparent proxy cleaned up successfully');
    expect(kumaLines(await natTable())).toEqual([]);
    expect(kumaLines((await ns.run(['ip6tables-save', '-t', 'nat'])).stdout)).toEqual([]);
    for (const save of ['iptables-save', 'ip6tables-save']) expect(kumaLines((await ns.run([save, '-t', 'raw'])).stdout)).toEqual([]);
    expect((await appGet(`http://${vip}/`)).ok).toBe(false);
    await expect(dnsQuery(FAKE_NAMESERVER, 53, 'backend.mesh')).rejects.toThrow(/no answer/);
    const again = await kuma(['uninstall', 'transparent-proxy']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to remove');
  }, 30_000);
});
