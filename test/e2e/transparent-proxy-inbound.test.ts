/**
 * The inbound side of the transparent proxy on real iptables and real Envoy: with `kuma install
 * transparent-proxy`, a connection from another host to the workload's address is redirected
 * (PREROUTING, KUMA_MESH_INBOUND) to Envoy's `inbound:passthrough:ipv4` on 15006, whose
 * use_original_dst hands it to the `inbound:<ip>:<port>` listener of the Dataplane's inbound (which
 * does not bind the port: the application has it), and a port no inbound declares goes straight
 * to the application through the ORIGINAL_DST cluster bound to 127.0.0.6.
 *
 * Two network namespaces this suite creates and deletes: the workload's (CP, Envoy and two apps,
 * all root, the excluded kuma-dp user) and a client's, joined by a veth pair (10.204.0.1 and
 * 10.204.0.2). Needs root, `ip netns`, iptables and Envoy: without them the suite fails.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envoyBinary, eventually, kumaBinary, removeDir, tempDir } from './harness';
import { NS_CP, NetNs } from './netns';

const workload = new NetNs(`kuma-tpw-${process.pid}`);
const client = new NetNs(`kuma-tpc-${process.pid}`);
const WORKLOAD_IP = '10.204.0.1';
const CLIENT_IP = '10.204.0.2';
const CP = NS_CP;
const ADMIN = 19901;
const APP_PORT = 8080;
const UNDECLARED_PORT = 9000;
const curl = workload.curl.bind(workload);

/** A request from the client's namespace: the body, or '' when nothing answered. */
async function fromClient(port: number): Promise<string> {
  const r = await client.run(['curl', '-s', '-m', '3', `http://${WORKLOAD_IP}:${port}/`]);
  return r.code === 0 ? r.stdout : '';
}

/** downstream_cx_total of the Envoy listener on `address`:`port` (Envoy names its stats `listener.<ip>_<port>.`). */
async function listenerConnections(address: string, port: number): Promise<number> {
  const name = `listener.${address}_${port}.downstream_cx_total`;
  const text = (await curl('GET', `http://127.0.0.1:${ADMIN}/stats?filter=${encodeURIComponent(`^${name.replace(/\./g, '\\.')}$`)}`)).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name}: `));
  if (!line) throw new Error(`no ${name} in Envoy's stats:\n${text}`);
  return Number(line.slice(name.length + 2));
}

describe('transparent proxy inbound: kuma install transparent-proxy, inbound:passthrough and the inbound hand-off', () => {
  const home = tempDir('kuma-tpw-home-');

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('transparent-proxy-inbound.test.ts needs root (ip netns, iptables)');
    const restore = spawnSync('iptables-restore', ['--version'], { encoding: 'utf8' });
    if (restore.error || restore.status !== 0) throw new Error(`transparent-proxy-inbound.test.ts needs iptables-restore (apt-get install iptables): ${restore.error?.message ?? restore.stderr}`);
    envoyBinary(); // fails the suite here, before any namespace exists, when there is no Envoy
    workload.create();
    client.create();
    // Made in the host's namespace and moved at once: only the two namespaces ever hold them.
    const link = spawnSync('ip', ['link', 'add', 'tpw0', 'netns', workload.name, 'type', 'veth', 'peer', 'name', 'tpc0', 'netns', client.name], { encoding: 'utf8' });
    if (link.status !== 0) throw new Error(`could not create the veth pair: ${link.stderr}`);
    workload.exec(['ip', 'addr', 'add', `${WORKLOAD_IP}/24`, 'dev', 'tpw0']);
    workload.exec(['ip', 'link', 'set', 'tpw0', 'up']);
    client.exec(['ip', 'addr', 'add', `${CLIENT_IP}/24`, 'dev', 'tpc0']);
    client.exec(['ip', 'link', 'set', 'tpc0', 'up']);
    const app = (port: number, says: string) =>
      workload.spawn(`app-${port}`, [process.execPath, '-e', `require('node:http').createServer((q, s) => s.end('${says} from ' + q.socket.remoteAddress)).listen(${port}, '0.0.0.0')`], home);
    app(APP_PORT, 'web');
    app(UNDECLARED_PORT, 'undeclared');
    await workload.startZoneCp(home);
    workload.startDataplane(home, 'web-1', `type: Dataplane
mesh: default
name: web-1
networking:
  address: ${WORKLOAD_IP}
  inbound:
  - port: ${APP_PORT}
    tags: { kuma.io/service: web, kuma.io/protocol: http }
  transparentProxying:
    redirectPortInbound: 15006
    redirectPortOutbound: 15001
`, ADMIN);
    await eventually(async () => expect((await curl('GET', `http://127.0.0.1:${ADMIN}/ready`)).text).toContain('LIVE'), 40_000, 250);
    await eventually(async () => expect((await curl('GET', `http://127.0.0.1:${ADMIN}/config_dump?resource=dynamic_listeners`)).text).toContain('inbound:passthrough:ipv4'), 20_000, 300);
  }, 150_000);

  afterAll(async () => {
    await client.destroy();
    await workload.destroy();
    removeDir(home);
  });

  it('before install the inbound listener holds no port: the application answers the client directly', async () => {
    const before = await listenerConnections(WORKLOAD_IP, APP_PORT);
    expect(await fromClient(APP_PORT)).toBe(`web from ${CLIENT_IP}`);
    expect(await listenerConnections(WORKLOAD_IP, APP_PORT)).toBe(before);
  }, 30_000);

  it('after install the client reaches the application through the inbound listener, handed over by 15006', async () => {
    const r = await workload.run([kumaBinary(), 'install', 'transparent-proxy', '--kuma-dp-user', 'root', '--ip-family-mode', 'ipv4'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const inbound = await listenerConnections(WORKLOAD_IP, APP_PORT);
    // Envoy's inbound cluster dials the application on 127.0.0.1 (Kuma's default for an inbound).
    // The inbound listener binds no port: 15006's hand-off is the only way a connection reaches it
    // (Envoy counts a handed-over connection on the listener it lands on, not on 15006).
    expect(await fromClient(APP_PORT)).toBe('web from 127.0.0.1');
    expect(await listenerConnections(WORKLOAD_IP, APP_PORT)).toBe(inbound + 1);
  }, 60_000);

  it('a port no inbound declares goes to the application through the passthrough cluster, from 127.0.0.6', async () => {
    expect(await fromClient(UNDECLARED_PORT)).toBe('undeclared from 127.0.0.6');
    const stats = (await curl('GET', `http://127.0.0.1:${ADMIN}/stats?filter=cluster.inbound_passthrough_ipv4.upstream_cx_total`)).text;
    expect(Number(/: (\d+)/.exec(stats)?.[1] ?? 0)).toBeGreaterThan(0);
  }, 30_000);

  it('after uninstall the application answers the client directly again', async () => {
    const r = await workload.run([kumaBinary(), 'uninstall', 'transparent-proxy'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(await fromClient(APP_PORT)).toBe(`web from ${CLIENT_IP}`);
    expect(await fromClient(UNDECLARED_PORT)).toBe(`undeclared from ${CLIENT_IP}`);
  }, 30_000);
});
