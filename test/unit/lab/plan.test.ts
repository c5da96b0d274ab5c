import { describe, expect, it } from 'vitest';
import { allPorts, checkOptions, lastPort, planLab, waves, type LabOptions } from '../../../internal/lab/plan';
import { resolveLabDir } from '../../../internal/lab/state';

const opts = (o: Partial<LabOptions> = {}): LabOptions => ({ dir: '/lab', zones: 2, egress: false, basePort: 27000, envoyBinary: '/usr/bin/envoy', hasIngressRun: true, hasEgressRun: true, ...o });
const byName = (plan: ReturnType<typeof planLab>, name: string) => {
  const c = plan.components.find((x) => x.name === name);
  if (!c) throw new Error(`no component ${name} in ${plan.components.map((x) => x.name).join(', ')}`);
  return c;
};
const argAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('lab plan', () => {
  it('lays out a global, two zones, an ingress each, web everywhere and backend in the last zone, in start waves', () => {
    const plan = planLab(opts());
    expect(plan.components.map((c) => `${c.wave} ${c.kind} ${c.name}`)).toEqual([
      '0 global-cp global',
      '1 zone-cp zone-1',
      '3 ingress ingress-zone-1',
      '2 app web-zone-1-app',
      '3 sidecar web-zone-1',
      '1 zone-cp zone-2',
      '3 ingress ingress-zone-2',
      '2 app web-zone-2-app',
      '3 sidecar web-zone-2',
      '2 app backend-zone-2-app',
      '3 sidecar backend-zone-2',
    ]);
    expect(waves(plan).map((w) => w.map((c) => c.name))).toEqual([
      ['global'],
      ['zone-1', 'zone-2'],
      ['web-zone-1-app', 'web-zone-2-app', 'backend-zone-2-app'],
      ['ingress-zone-1', 'web-zone-1', 'ingress-zone-2', 'web-zone-2', 'backend-zone-2'],
    ]);
  });

  it('allocates every port from the base, 20 per block, all distinct', () => {
    const plan = planLab(opts({ basePort: 30000 }));
    expect(plan.ports).toEqual({ first: 30000, last: 30059 });
    expect(byName(plan, 'global').ports).toEqual({ api: 30000, diagnostics: 30001, dpServer: 30002, kds: 30003, apiHttps: 30019 });
    expect(byName(plan, 'zone-1').ports).toEqual({ api: 30020, diagnostics: 30021, dpServer: 30022, apiHttps: 30039 });
    expect(byName(plan, 'ingress-zone-2').ports).toEqual({ ingress: 30043, admin: 30044 });
    expect(byName(plan, 'web-zone-1').ports).toEqual({ inbound: 30028, admin: 30029, outbound: 30030 });
    expect(byName(plan, 'backend-zone-2').ports).toEqual({ inbound: 30052, admin: 30053 });
    const ports = allPorts(plan).map((p) => p.port);
    expect(new Set(ports).size).toBe(ports.length);
    expect(Math.min(...ports)).toBe(30000);
    expect(Math.max(...ports)).toBeLessThanOrEqual(plan.ports.last);
  });

  it('is deterministic', () => {
    expect(planLab(opts({ zones: 3, egress: true }))).toEqual(planLab(opts({ zones: 3, egress: true })));
  });

  it('runs the global with LevelDB in <dir>/global and federates zones over grpcs with cp zone tokens and the global cert as root CA', () => {
    const plan = planLab(opts());
    const g = byName(plan, 'global');
    expect(g.args).toEqual(['control-plane', 'run', '--mode=global']);
    expect(g.env).toMatchObject({ KUMA_GENERAL_WORK_DIR: '/lab/global', KUMA_STORE_TYPE: 'leveldb', KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT: '27003', KUMA_API_SERVER_HTTP_PORT: '27000' });
    expect(g.ready).toEqual({ url: 'http://127.0.0.1:27001/ready', expect: 'ok' });
    expect(g.log).toBe('/lab/logs/global.log');
    const z = byName(plan, 'zone-2');
    expect(z.args).toEqual(['control-plane', 'run', '--mode=zone', '--zone', 'zone-2', '--kds-global-address', 'grpcs://127.0.0.1:27003', '--kds-auth-token-file', '/lab/tokens/zone-2-cp.token']);
    expect(z.env).toMatchObject({ KUMA_GENERAL_WORK_DIR: '/lab/zone-2', KUMA_MULTIZONE_ZONE_KDS_ROOT_CA_FILE: '/lab/global/kuma-cp.crt', KUMA_DP_SERVER_PORT: '27042' });
    expect(z.tokens).toEqual([{ file: '/lab/tokens/zone-2-cp.token', issuer: 'global', path: '/tokens/zone', body: { zone: 'zone-2', scope: ['cp'], validFor: '8760h' } }]);
  });

  it('runs proxies against their zone with a token, the zone CP cert, Envoy admin on a planned port and a short drain', () => {
    const plan = planLab(opts());
    const web = byName(plan, 'web-zone-1');
    expect(web.args.slice(0, 2)).toEqual(['dp', 'run']);
    expect(argAfter(web.args, '--cp-address')).toBe('https://127.0.0.1:27022');
    expect(argAfter(web.args, '--ca-cert-file')).toBe('/lab/zone-1/kuma-cp.crt');
    expect(argAfter(web.args, '--admin-port')).toBe('27029');
    expect(argAfter(web.args, '--binary-path')).toBe('/usr/bin/envoy');
    expect(argAfter(web.args, '--drain-time')).toBe('1s');
    expect(argAfter(web.args, '--work-dir')).toBe('/lab/proxies/web-zone-1');
    expect(web.ready).toEqual({ url: 'http://127.0.0.1:27029/ready', expect: 'live' });
    expect(web.tokens[0]!.body).toEqual({ mesh: 'default', name: 'web-zone-1', validFor: '8760h' });
    expect(web.files[0]!.content).toBe(
      'type: Dataplane\nmesh: default\nname: web-zone-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: 27028\n    servicePort: 27027\n' +
        '    tags: { kuma.io/service: web, kuma.io/protocol: http }\n  outbound:\n  - port: 27030\n    tags: { kuma.io/service: backend }\n',
    );
    expect(byName(plan, 'backend-zone-2').files[0]!.content).not.toContain('outbound');
    expect(byName(plan, 'backend-zone-2-app').args).toEqual(['demo-app', 'http', '--port', '27051', '--service', 'backend', '--instance', 'backend-zone-2', '--zone', 'zone-2']);
  });

  it('runs zone ingresses with ingress-scoped zone tokens and an advertised address, as kuma ingress run or dp run --proxy-type ingress', () => {
    const withRun = byName(planLab(opts()), 'ingress-zone-1');
    expect(withRun.args.slice(0, 2)).toEqual(['ingress', 'run']);
    expect(withRun.tokens[0]!.body).toEqual({ zone: 'zone-1', scope: ['ingress'], validFor: '8760h' });
    expect(withRun.files[0]!.content).toBe('type: ZoneIngress\nname: ingress-zone-1\nnetworking:\n  address: 127.0.0.1\n  port: 27023\n  advertisedAddress: 127.0.0.1\n  advertisedPort: 27023\n');
    expect(byName(planLab(opts({ hasIngressRun: false })), 'ingress-zone-1').args.slice(0, 4)).toEqual(['dp', 'run', '--proxy-type', 'ingress']);
  });

  it('adds a zone egress per zone and routes through it with --egress', () => {
    const plan = planLab(opts({ egress: true }));
    const eg = byName(plan, 'egress-zone-2');
    expect(eg.args.slice(0, 2)).toEqual(['egress', 'run']);
    expect(eg.ports).toEqual({ egress: 27045, admin: 27046 });
    expect(eg.tokens[0]!.body).toMatchObject({ zone: 'zone-2', scope: ['egress'] });
    expect(plan.mesh).toMatchObject({ routing: { zoneEgress: true } });
    expect(planLab(opts()).mesh).not.toHaveProperty('routing');
    expect(byName(planLab(opts({ egress: true, hasEgressRun: false })), 'egress-zone-1').args.slice(0, 4)).toEqual(['dp', 'run', '--proxy-type', 'egress']);
  });

  it('enables mTLS with a builtin CA and allows all traffic', () => {
    const plan = planLab(opts());
    expect(plan.mesh).toEqual({ type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } });
    expect(plan.policies).toEqual([
      {
        path: '/meshes/default/meshtrafficpermissions/allow-all',
        body: { type: 'MeshTrafficPermission', mesh: 'default', name: 'allow-all', spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] } },
      },
    ]);
  });

  it('the sample request goes from web in zone-1 to backend in the last zone', () => {
    expect(planLab(opts({ zones: 3 })).traffic).toEqual({ url: 'http://127.0.0.1:27030/', from: 'web-zone-1', fromZone: 'zone-1', service: 'backend', toZone: 'zone-3', crossZone: true });
    expect(planLab(opts({ zones: 1 })).traffic).toMatchObject({ toZone: 'zone-1', crossZone: false });
  });

  it('refuses zone counts and base ports that do not fit', () => {
    expect(checkOptions({ zones: 0, basePort: 27000 })).toMatch(/--zones must be a whole number from 1 to 20/);
    expect(checkOptions({ zones: 21, basePort: 27000 })).toMatch(/--zones/);
    expect(checkOptions({ zones: 2, basePort: 80 })).toMatch(/--base-port must be a whole number from 1024/);
    expect(lastPort(65000, 20)).toBe(65419);
    expect(checkOptions({ zones: 30 - 10, basePort: 65200 })).toMatch(/needs ports up to 65619, past 65535/);
    expect(checkOptions({ zones: 2, basePort: 65476 })).toBeUndefined();
    expect(() => planLab(opts({ zones: 0 }))).toThrow(/--zones/);
  });
});

describe('lab dir', () => {
  it('is --dir, else $KUMA_LAB_DIR, else .kuma-lab in the current folder, always absolute', () => {
    expect(resolveLabDir('x', { KUMA_LAB_DIR: '/env' }, '/cwd')).toBe('/cwd/x');
    expect(resolveLabDir(undefined, { KUMA_LAB_DIR: '/env' }, '/cwd')).toBe('/env');
    expect(resolveLabDir(undefined, {}, '/cwd')).toBe('/cwd/.kuma-lab');
    expect(resolveLabDir('/abs', {}, '/cwd')).toBe('/abs');
  });
});
