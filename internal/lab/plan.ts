/**
 * `kuma lab up`: the whole lab as data. Pure: from the options it derives
 * every port, file, token and process (arguments and environment) of the lab,
 * in start order, so `up` only has to carry it out and `status`/`down` only
 * have to read it back from lab.json.
 *
 * Port layout from the base P (all on 127.0.0.1):
 *
 *   global           P+0 api, P+1 diagnostics, P+2 dp server, P+3 KDS (grpcs)
 *   zone-i (i>=1)    B = P + 20*i:
 *                    B+0 api, B+1 diagnostics, B+2 dp server,
 *                    B+3 ingress listener, B+4 ingress admin,
 *                    B+5 egress listener, B+6 egress admin,
 *                    B+7 web app, B+8 web inbound, B+9 web admin, B+10 web outbound to backend,
 *                    B+11 backend app, B+12 backend inbound, B+13 backend admin (last zone only)
 */
import { join } from 'node:path';

export const DEFAULT_ZONES = 2;
export const DEFAULT_BASE_PORT = 27000;
export const MAX_ZONES = 20;
export const PORTS_PER_BLOCK = 20;
export const LAB_MESH = 'default';
export const TOKEN_VALID_FOR = '8760h';
export const DRAIN_TIME = '1s';
export const DEREGISTRATION_DELAY_MS = 1000;

export type ComponentKind = 'global-cp' | 'zone-cp' | 'ingress' | 'egress' | 'app' | 'sidecar';

export interface LabOptions {
  /** Absolute lab directory. */
  dir: string;
  zones: number;
  egress: boolean;
  basePort: number;
  /** The Envoy every proxy runs. */
  envoyBinary: string;
  /** Whether this binary has `kuma ingress run`; otherwise zone ingresses run as `kuma dp run --proxy-type ingress`. */
  hasIngressRun: boolean;
  /** The same for `kuma egress run`. */
  hasEgressRun: boolean;
}

/** A token `up` requests from a control plane's API before the component starts. */
export interface TokenRequest {
  /** Where the token goes. */
  file: string;
  /** Which control plane issues it. */
  issuer: 'global';
  path: '/tokens/zone' | '/tokens/dataplane';
  body: Record<string, unknown>;
}

/** How `up` and `status` decide a component is ready. */
export interface Readiness {
  url: string;
  /** 'ok': HTTP 200; 'live': HTTP 200 with LIVE in the body (Envoy admin /ready). */
  expect: 'ok' | 'live';
}

export interface ComponentPlan {
  name: string;
  kind: ComponentKind;
  zone?: string;
  /** Arguments to the kuma binary itself. */
  args: string[];
  /** Environment on top of the caller's (KUMA_* variables of the caller are not passed on). */
  env: Record<string, string>;
  /** One log file for stdout and stderr. */
  log: string;
  ports: Record<string, number>;
  ready: Readiness;
  /** Files written before the start (resource YAML). */
  files: { path: string; content: string }[];
  tokens: TokenRequest[];
  /** Start wave: every component of a wave starts together, after the previous wave is ready. */
  wave: number;
  /** Human URL shown by status (API of a CP, the app itself). */
  url?: string;
}

export interface ZonePlan {
  name: string;
  apiUrl: string;
  dpServerUrl: string;
  workDir: string;
}

export interface LabPlan {
  dir: string;
  options: { zones: number; egress: boolean; basePort: number };
  ports: { first: number; last: number };
  global: { apiUrl: string; kdsAddress: string; workDir: string; caCert: string };
  zones: ZonePlan[];
  /** kumactl configuration pointing at the global (written by up). */
  kumactlConfig: string;
  /** The Mesh and policy up applies on the global before the zones start. */
  mesh: Record<string, unknown>;
  policies: { path: string; body: Record<string, unknown> }[];
  components: ComponentPlan[];
  /** The request that crosses zones: web's outbound to backend in the first zone, backend lives in the last. */
  traffic: { url: string; from: string; fromZone: string; service: string; toZone: string; crossZone: boolean };
}

export class LabPlanError extends Error {}

export function zoneName(i: number): string {
  return `zone-${i}`;
}

/** Checks the options a person gives; returns the message to show, or undefined. */
export function checkOptions(o: Pick<LabOptions, 'zones' | 'basePort'>): string | undefined {
  if (!Number.isInteger(o.zones) || o.zones < 1 || o.zones > MAX_ZONES) return `--zones must be a whole number from 1 to ${MAX_ZONES} (got ${o.zones})`;
  if (!Number.isInteger(o.basePort) || o.basePort < 1024) return `--base-port must be a whole number from 1024 (got ${o.basePort})`;
  const last = lastPort(o.basePort, o.zones);
  if (last > 65535) return `--base-port ${o.basePort} with ${o.zones} zones needs ports up to ${last}, past 65535; use a lower --base-port`;
  return undefined;
}

/** The highest port a lab of `zones` zones from `basePort` may use. */
export function lastPort(basePort: number, zones: number): number {
  return basePort + PORTS_PER_BLOCK * (zones + 1) - 1;
}

const local = (port: number) => `http://127.0.0.1:${port}`;

export function planLab(o: LabOptions): LabPlan {
  const bad = checkOptions(o);
  if (bad) throw new LabPlanError(bad);
  const dir = o.dir;
  const logs = join(dir, 'logs');
  const tokens = join(dir, 'tokens');
  const proxies = join(dir, 'proxies');
  const P = o.basePort;
  const components: ComponentPlan[] = [];

  const gPorts = { api: P, diagnostics: P + 1, dpServer: P + 2, kds: P + 3, apiHttps: P + 19 };
  const globalWorkDir = join(dir, 'global');
  const globalCaCert = join(globalWorkDir, 'kuma-cp.crt');
  const kdsAddress = `grpcs://127.0.0.1:${gPorts.kds}`;
  components.push({
    name: 'global',
    kind: 'global-cp',
    args: ['control-plane', 'run', '--mode=global'],
    env: {
      KUMA_GENERAL_WORK_DIR: globalWorkDir,
      KUMA_STORE_TYPE: 'leveldb',
      KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
      KUMA_API_SERVER_HTTP_PORT: String(gPorts.api),
      KUMA_API_SERVER_HTTPS_INTERFACE: '127.0.0.1',
      KUMA_API_SERVER_HTTPS_PORT: String(gPorts.apiHttps),
      KUMA_DIAGNOSTICS_SERVER_PORT: String(gPorts.diagnostics),
      KUMA_DP_SERVER_PORT: String(gPorts.dpServer),
      KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT: String(gPorts.kds),
    },
    log: join(logs, 'global.log'),
    ports: gPorts,
    ready: { url: `${local(gPorts.diagnostics)}/ready`, expect: 'ok' },
    files: [],
    tokens: [],
    wave: 0,
    url: `${local(gPorts.api)}/`,
  });

  const zones: ZonePlan[] = [];
  const last = o.zones;
  for (let i = 1; i <= o.zones; i++) {
    const zone = zoneName(i);
    const B = P + PORTS_PER_BLOCK * i;
    const zp = { api: B, diagnostics: B + 1, dpServer: B + 2, apiHttps: B + 19 };
    const workDir = join(dir, zone);
    const caCert = join(workDir, 'kuma-cp.crt');
    const cpToken = join(tokens, `${zone}-cp.token`);
    const dpServerUrl = `https://127.0.0.1:${zp.dpServer}`;
    zones.push({ name: zone, apiUrl: local(zp.api), dpServerUrl, workDir });
    components.push({
      name: zone,
      kind: 'zone-cp',
      zone,
      args: ['control-plane', 'run', '--mode=zone', '--zone', zone, '--kds-global-address', kdsAddress, '--kds-auth-token-file', cpToken],
      env: {
        KUMA_GENERAL_WORK_DIR: workDir,
        KUMA_STORE_TYPE: 'leveldb',
        KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
        KUMA_API_SERVER_HTTP_PORT: String(zp.api),
        KUMA_API_SERVER_HTTPS_INTERFACE: '127.0.0.1',
        KUMA_API_SERVER_HTTPS_PORT: String(zp.apiHttps),
        KUMA_DIAGNOSTICS_SERVER_PORT: String(zp.diagnostics),
        KUMA_DP_SERVER_PORT: String(zp.dpServer),
        KUMA_MULTIZONE_ZONE_KDS_ROOT_CA_FILE: globalCaCert,
        // Lab proxies come and go; a stopped one leaves the zone (and the GUI) quickly, and the CP stops without waiting on it.
        KUMA_XDS_SERVER_DATAPLANE_DEREGISTRATION_DELAY_MS: String(DEREGISTRATION_DELAY_MS),
      },
      log: join(logs, `${zone}.log`),
      ports: zp,
      ready: { url: `${local(zp.diagnostics)}/ready`, expect: 'ok' },
      files: [],
      tokens: [{ file: cpToken, issuer: 'global', path: '/tokens/zone', body: { zone, scope: ['cp'], validFor: TOKEN_VALID_FOR } }],
      wave: 1,
      url: `${local(zp.api)}/`,
    });

    const proxyArgs = (name: string, admin: number, resourceFile: string, tokenFile: string) => [
      '--cp-address', dpServerUrl,
      '--dataplane-file', resourceFile,
      '--dataplane-token-file', tokenFile,
      '--ca-cert-file', caCert,
      '--binary-path', o.envoyBinary,
      '--admin-port', String(admin),
      '--concurrency', '1',
      '--drain-time', DRAIN_TIME,
      '--work-dir', join(proxies, name),
      // Several proxies on one host: each readiness reporter on a free port, not 9902.
      '--readiness-port', '0',
    ];
    const adminReady = (admin: number): Readiness => ({ url: `${local(admin)}/ready`, expect: 'live' });

    // Zone ingress: every zone has one, so traffic can come in from the others.
    {
      const name = `ingress-${zone}`;
      const ports = { ingress: B + 3, admin: B + 4 };
      const file = join(proxies, `${name}.yaml`);
      const token = join(tokens, `${name}.token`);
      const run = o.hasIngressRun ? ['ingress', 'run'] : ['dp', 'run', '--proxy-type', 'ingress'];
      components.push({
        name,
        kind: 'ingress',
        zone,
        args: [...run, ...proxyArgs(name, ports.admin, file, token)],
        env: {},
        log: join(logs, `${name}.log`),
        ports,
        ready: adminReady(ports.admin),
        files: [{ path: file, content: `type: ZoneIngress\nname: ${name}\nnetworking:\n  address: 127.0.0.1\n  port: ${ports.ingress}\n  advertisedAddress: 127.0.0.1\n  advertisedPort: ${ports.ingress}\n` }],
        tokens: [{ file: token, issuer: 'global', path: '/tokens/zone', body: { zone, scope: ['ingress'], validFor: TOKEN_VALID_FOR } }],
        wave: 3,
      });
    }
    if (o.egress) {
      const name = `egress-${zone}`;
      const ports = { egress: B + 5, admin: B + 6 };
      const file = join(proxies, `${name}.yaml`);
      const token = join(tokens, `${name}.token`);
      components.push({
        name,
        kind: 'egress',
        zone,
        args: [...(o.hasEgressRun ? ['egress', 'run'] : ['dp', 'run', '--proxy-type', 'egress']), ...proxyArgs(name, ports.admin, file, token)],
        env: {},
        log: join(logs, `${name}.log`),
        ports,
        ready: adminReady(ports.admin),
        files: [{ path: file, content: `type: ZoneEgress\nname: ${name}\nnetworking:\n  address: 127.0.0.1\n  port: ${ports.egress}\n` }],
        tokens: [{ file: token, issuer: 'global', path: '/tokens/zone', body: { zone, scope: ['egress'], validFor: TOKEN_VALID_FOR } }],
        wave: 3,
      });
    }

    const service = (svc: 'web' | 'backend', first: number, outboundPort?: number) => {
      const name = `${svc}-${zone}`;
      const ports = { app: first, inbound: first + 1, admin: first + 2 };
      components.push({
        name: `${name}-app`,
        kind: 'app',
        zone,
        args: ['demo-app', 'http', '--port', String(ports.app), '--service', svc, '--instance', name, '--zone', zone],
        env: {},
        log: join(logs, `${name}-app.log`),
        ports: { http: ports.app },
        ready: { url: `${local(ports.app)}/`, expect: 'ok' },
        files: [],
        tokens: [],
        wave: 2,
        url: `${local(ports.app)}/`,
      });
      const file = join(proxies, `${name}.yaml`);
      const token = join(tokens, `${name}.token`);
      const outbound = outboundPort === undefined ? '' : `  outbound:\n  - port: ${outboundPort}\n    tags: { kuma.io/service: backend }\n`;
      components.push({
        name,
        kind: 'sidecar',
        zone,
        args: ['dp', 'run', ...proxyArgs(name, ports.admin, file, token)],
        env: {},
        log: join(logs, `${name}.log`),
        ports: outboundPort === undefined ? { inbound: ports.inbound, admin: ports.admin } : { inbound: ports.inbound, admin: ports.admin, outbound: outboundPort },
        ready: adminReady(ports.admin),
        files: [
          {
            path: file,
            content:
              `type: Dataplane\nmesh: ${LAB_MESH}\nname: ${name}\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: ${ports.inbound}\n    servicePort: ${ports.app}\n` +
              `    tags: { kuma.io/service: ${svc}, kuma.io/protocol: http }\n${outbound}`,
          },
        ],
        tokens: [{ file: token, issuer: 'global', path: '/tokens/dataplane', body: { mesh: LAB_MESH, name, validFor: TOKEN_VALID_FOR } }],
        wave: 3,
      });
    };
    service('web', B + 7, B + 10);
    if (i === last) service('backend', B + 11);
  }

  const firstZone = zoneName(1);
  const lastZone = zoneName(last);
  const web1 = components.find((c) => c.name === `web-${firstZone}`)!;
  const meshSpec: Record<string, unknown> = { type: 'Mesh', name: LAB_MESH, mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
  if (o.egress) meshSpec.routing = { zoneEgress: true };
  return {
    dir,
    options: { zones: o.zones, egress: o.egress, basePort: o.basePort },
    ports: { first: P, last: lastPort(P, o.zones) },
    global: { apiUrl: local(gPorts.api), kdsAddress, workDir: globalWorkDir, caCert: globalCaCert },
    zones,
    kumactlConfig: join(dir, 'kumactl-config.yaml'),
    mesh: meshSpec,
    policies: [
      {
        path: `/meshes/${LAB_MESH}/meshtrafficpermissions/allow-all`,
        body: { type: 'MeshTrafficPermission', mesh: LAB_MESH, name: 'allow-all', spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] } },
      },
    ],
    components,
    traffic: { url: `${local(web1.ports.outbound!)}/`, from: web1.name, fromZone: firstZone, service: 'backend', toZone: lastZone, crossZone: firstZone !== lastZone },
  };
}

/** Every port of the plan, with the component and role it belongs to (for the "port in use" check). */
export function allPorts(plan: LabPlan): { port: number; owner: string }[] {
  return plan.components.flatMap((c) => Object.entries(c.ports).map(([role, port]) => ({ port, owner: `${c.name} ${role}` })));
}

/** Components of one start wave, in plan order. */
export function waves(plan: LabPlan): ComponentPlan[][] {
  const out: ComponentPlan[][] = [];
  for (const c of plan.components) (out[c.wave] ??= []).push(c);
  return out.filter(Boolean);
}
