/**
 * Tables of `kuma inspect` (spec §3.4; Kuma app/kumactl/cmd/inspect/*.go),
 * built from the REST lists the commands fetch.
 */
import { ago, count, date } from './cells';
import { dataplaneStatus, isOnline, lastSubscription, obj, serviceStatus, subscriptionsOf } from './insight-status';
import { dataplaneTags } from './resource-tables';
import type { Table } from './printers/table';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Sums a counter of `status.total` over every subscription. */
function sumTotal(insight: unknown, field: 'responsesSent' | 'responsesRejected'): string {
  return String(subscriptionsOf(insight).reduce((n, s) => n + count(obj(obj(s.status).total)[field]), 0));
}

/** The legacy policy columns of `inspect meshes`, by Kuma type name. */
const MESH_POLICY_COLUMNS: [string, string][] = [
  ['TRAFFIC PERMISSIONS', 'TrafficPermission'],
  ['TRAFFIC ROUTES', 'TrafficRoute'],
  ['CIRCUIT BREAKERS', 'CircuitBreaker'],
  ['HEALTH CHECKS', 'HealthCheck'],
  ['FAULT INJECTIONS', 'FaultInjection'],
  ['EXTERNAL SERVICES', 'ExternalService'],
  ['TRAFFIC TRACES', 'TrafficTrace'],
  ['TRAFFIC LOGS', 'TrafficLog'],
  ['PROXY TEMPLATES', 'ProxyTemplate'],
  ['RATE LIMITS', 'RateLimit'],
];

export function meshInsightsTable(items: unknown[]): Table {
  return {
    headers: ['MESH', 'DATAPLANES', ...MESH_POLICY_COLUMNS.map(([h]) => h)],
    rows: items.map((raw) => {
      const mi = obj(raw);
      const dps = obj(mi.dataplanes);
      // `policies` is what kumactl reads; newer servers also (or only) fill `resources`.
      const stats = { ...obj(mi.resources), ...obj(mi.policies) };
      return [str(mi.name), `${count(dps.online)}/${count(dps.total)}`, ...MESH_POLICY_COLUMNS.map(([, type]) => String(count(obj(stats[type]).total)))];
    }),
  };
}

export function dataplaneOverviewsTable(items: unknown[], now: number): Table {
  return {
    headers: [
      'MESH', 'NAME', 'TAGS', 'STATUS', 'LAST CONNECTED AGO', 'LAST UPDATED AGO', 'TOTAL UPDATES', 'TOTAL ERRORS',
      'CERT REGENERATED AGO', 'CERT EXPIRATION', 'CERT REGENERATIONS', 'CERT BACKEND', 'SUPPORTED CERT BACKENDS',
      'KUMA-DP VERSION', 'ENVOY VERSION', 'DEPENDENCIES VERSIONS', 'NOTES',
    ],
    rows: items.map((raw) => {
      const o = obj(raw);
      const insight = obj(o.dataplaneInsight);
      const last = lastSubscription(insight);
      const { status, notes } = dataplaneStatus(o.dataplane, insight);
      const mtls = insight.mTLS === undefined || insight.mTLS === null ? undefined : obj(insight.mTLS);
      const version = obj(last.version);
      const deps = Object.entries(obj(version.dependencies))
        .map(([k, v]) => `${k}: ${str(v)}`)
        .sort();
      const supported = Array.isArray(mtls?.supportedBackends) ? (mtls!.supportedBackends as unknown[]).map(str).join(',') : '';
      return [
        str(o.mesh),
        str(o.name),
        dataplaneTags(obj(o.dataplane)),
        status,
        ago(last.connectTime, now),
        ago(obj(last.status).lastUpdateTime, now),
        sumTotal(insight, 'responsesSent'),
        sumTotal(insight, 'responsesRejected'),
        ago(mtls?.lastCertificateRegeneration, now),
        date(mtls?.certificateExpirationTime),
        String(count(mtls?.certificateRegenerations)),
        mtls === undefined ? '-' : str(mtls.issuedBackend) || 'unknown',
        supported,
        str(obj(version.kumaDp).version),
        str(obj(version.envoy).version),
        deps.length ? deps.join(', ') : '-',
        notes.join(';'),
      ];
    }),
  };
}

/** `store.type` from the zone CP config, which subscriptions carry as a JSON string. */
function zoneBackend(config: unknown): string {
  if (typeof config !== 'string' || config === '') return '';
  try {
    return str(obj(obj(JSON.parse(config)).store).type);
  } catch {
    return '';
  }
}

export function zoneOverviewsTable(items: unknown[], now: number): Table {
  return {
    headers: ['NAME', 'STATUS', 'LAST CONNECTED AGO', 'LAST UPDATED AGO', 'TOTAL UPDATES', 'TOTAL ERRORS', 'ZONE-CP VERSION', 'BACKEND'],
    rows: items.map((raw) => {
      const o = obj(raw);
      const insight = obj(o.zoneInsight);
      const last = lastSubscription(insight);
      // kumactl: Online only when connected and not disabled; `enabled` unset counts as enabled.
      const online = isOnline(insight) && obj(o.zone).enabled !== false;
      return [
        str(o.name),
        online ? 'Online' : 'Offline',
        ago(last.connectTime, now),
        ago(obj(last.status).lastUpdateTime, now),
        sumTotal(insight, 'responsesSent'),
        sumTotal(insight, 'responsesRejected'),
        str(obj(obj(last.version).kumaCp).version),
        zoneBackend(last.config),
      ];
    }),
  };
}

/** `inspect zoneingresses` and `inspect zoneegresses`; `insightField` names the insight in the overview item. */
export function zoneProxyOverviewsTable(items: unknown[], insightField: string, now: number): Table {
  return {
    headers: ['NAME', 'STATUS', 'LAST CONNECTED AGO', 'LAST UPDATED AGO', 'TOTAL UPDATES', 'TOTAL ERRORS', 'KUMA-DP VERSION', 'ENVOY VERSION'],
    rows: items.map((raw) => {
      const o = obj(raw);
      const insight = obj(o[insightField]);
      const last = lastSubscription(insight);
      const version = obj(last.version);
      return [
        str(o.name),
        isOnline(insight) ? 'Online' : 'Offline',
        ago(last.connectTime, now),
        ago(obj(last.status).lastUpdateTime, now),
        sumTotal(insight, 'responsesSent'),
        sumTotal(insight, 'responsesRejected'),
        str(obj(version.kumaDp).version),
        str(obj(version.envoy).version),
      ];
    }),
  };
}

export function serviceInsightsTable(items: unknown[]): Table {
  return {
    headers: ['SERVICE', 'STATUS', 'DATAPLANES'],
    rows: items.map((raw) => {
      const o = obj(raw);
      const dps = obj(o.dataplanes);
      return [str(o.name), serviceStatus(o.status), `${count(dps.online)}/${count(dps.total)}`];
    }),
  };
}

/** A targetRef on one cell: `Mesh`, `MeshService/web`, `Dataplane/web-01:http`, `MeshSubset{version=v1}`. */
export function targetRefCell(ref: unknown): string {
  const r = obj(ref);
  const kind = str(r.kind);
  if (!kind) return '-';
  let out = kind;
  if (str(r.name)) out += `/${str(r.name)}`;
  if (str(r.sectionName)) out += `:${str(r.sectionName)}`;
  const selector = { ...obj(r.labels), ...obj(r.tags) };
  const pairs = Object.keys(selector)
    .sort()
    .map((k) => `${k}=${str(selector[k])}`);
  if (pairs.length) out += `{${pairs.join(',')}}`;
  return out;
}
