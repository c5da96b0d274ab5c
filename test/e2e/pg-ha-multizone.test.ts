/**
 * Multi-zone with HA on both sides: a global of 2 instances (database g) and
 * a zone of 2 instances (database z) on one throw-away PostgreSQL cluster.
 * The zone instances reach the globals through a TCP round-robin balancer.
 * Only the zone's leader holds the KDS stream; killing either leader keeps
 * policies flowing and the zone Online.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBalancer, type Balancer } from '../support/tcp-balancer';
import { startPostgres, type PgCluster } from '../support/postgres';
import { api, eventually, freePort, removeDir, startCp, type ControlPlane } from './harness';

let cluster: PgCluster;
let balancer: Balancer;
const globals: (ControlPlane & { kdsPort: number })[] = [];
const zones: ControlPlane[] = [];
let gdb: string;
let zdb: string;

const mtp = (name: string) => ({
  type: 'MeshTrafficPermission',
  mesh: 'default',
  name,
  spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] },
});

async function startGlobalInstance(): Promise<ControlPlane & { kdsPort: number }> {
  const kdsPort = await freePort();
  const cp = await startCp({
    args: ['--mode=global', '--kds-auth=none'],
    env: { ...cluster.env(gdb), KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT: String(kdsPort), KUMA_STORE_POSTGRES_LEADER_LEASE_MS: '2000' },
    readyTimeoutMs: 30_000,
  });
  const g = Object.assign(cp, { kdsPort });
  globals.push(g);
  return g;
}

async function startZoneInstance(): Promise<ControlPlane> {
  const cp = await startCp({
    args: ['--mode=zone', '--zone', 'zone-ha', '--kds-global-address', `grpcs://127.0.0.1:${balancer.port}`],
    env: { ...cluster.env(zdb), KUMA_MULTIZONE_ZONE_KDS_TLS_SKIP_VERIFY: 'true', KUMA_STORE_POSTGRES_LEADER_LEASE_MS: '2000', KUMA_MULTIZONE_ZONE_KDS_RECONNECT_MAX_BACKOFF_MS: '1000' },
    readyTimeoutMs: 30_000,
  });
  zones.push(cp);
  return cp;
}

const alive = (list: ControlPlane[]) => list.filter((c) => c.proc.exitCode === null && c.proc.signalCode === null);
const index = async (cp: ControlPlane) => (await api(cp, 'GET', '/')).json as { leader: boolean; instanceId: string };
async function leaderOf(list: ControlPlane[]): Promise<ControlPlane> {
  return eventually(async () => {
    const live = alive(list);
    const flags = await Promise.all(live.map(async (c) => (await index(c)).leader));
    const ls = live.filter((_, i) => flags[i]);
    expect(ls).toHaveLength(1);
    return ls[0]!;
  }, 8000, 100);
}

/** The zone's subscriptions with no disconnect, as any global instance reports them. */
async function openSubscriptions(): Promise<{ zoneInstanceId: string; globalInstanceId: string }[]> {
  const g = alive(globals)[0]!;
  const o = (await api(g, 'GET', '/zones/zone-ha/_overview')).json;
  return (o.zoneInsight?.subscriptions ?? []).filter((s: { disconnectTime?: string }) => !s.disconnectTime);
}

async function policyReachesZone(name: string): Promise<void> {
  const g = await leaderOf(globals);
  expect((await api(g, 'PUT', `/meshes/default/meshtrafficpermissions/${name}`, mtp(name))).status).toBe(201);
  for (const z of alive(zones)) {
    await eventually(async () => {
      const list = (await api(z, 'GET', '/meshes/default/meshtrafficpermissions')).json.items as { labels?: Record<string, string> }[];
      expect(list.some((p) => p.labels?.['kuma.io/display-name'] === name)).toBe(true);
    }, 15_000, 100);
  }
}

beforeAll(async () => {
  cluster = await startPostgres();
  gdb = await cluster.createDatabase();
  zdb = await cluster.createDatabase();
  await startGlobalInstance();
  await startGlobalInstance();
  balancer = await startBalancer(() => globals.filter((g) => g.proc.exitCode === null && g.proc.signalCode === null).map((g) => g.kdsPort));
  await startZoneInstance();
  await startZoneInstance();
}, 120_000);

afterAll(async () => {
  for (const cp of [...zones, ...globals]) await cp.kill9().catch(() => undefined);
  for (const cp of [...zones, ...globals]) removeDir(cp.workDir);
  await balancer?.stop();
  await cluster?.stop();
});

describe('multi-zone HA on PostgreSQL: 2 global instances, 2 zone instances', () => {
  it('only the zone leader holds a KDS stream; policies flow; the zone is Online', async () => {
    const zl = await leaderOf(zones);
    const zlId = (await index(zl)).instanceId;
    await eventually(async () => {
      const subs = await openSubscriptions();
      expect(subs.map((s) => s.zoneInstanceId)).toEqual([zlId]);
    }, 15_000, 200);
    await policyReachesZone('before-failover');
  });

  it('kill -9 of the zone leader: the other zone instance leads, connects, policies keep flowing, the zone stays Online', async () => {
    const zl = await leaderOf(zones);
    await zl.kill9();
    const next = await leaderOf(zones);
    const nextId = (await index(next)).instanceId;
    await eventually(async () => {
      const subs = await openSubscriptions();
      expect(subs.map((s) => s.zoneInstanceId)).toContain(nextId);
    }, 15_000, 200);
    await policyReachesZone('after-zone-failover');
    // The killed instance comes back as a follower and holds no stream.
    const back = await startZoneInstance();
    expect((await index(back)).leader).toBe(false);
  });

  it('kill -9 of the global leader: the other global leads, the zone reconnects through the balancer, policies keep flowing', async () => {
    const gl = await leaderOf(globals);
    await gl.kill9();
    const next = await leaderOf(globals);
    expect(next).not.toBe(gl);
    const zl = await leaderOf(zones);
    const zlId = (await index(zl)).instanceId;
    await eventually(async () => {
      const subs = await openSubscriptions();
      expect(subs.some((s) => s.zoneInstanceId === zlId)).toBe(true);
    }, 15_000, 200);
    await policyReachesZone('after-global-failover');
  });
});
