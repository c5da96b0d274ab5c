/**
 * ExternalServices of a mesh as the generators use them (spec kuma-api-cli.md §1.9, kuma-kds-xds.md
 * §4; Kuma pkg/xds/topology/outbound.go fillExternalServicesOutbounds /
 * fillExternalServicesReachableFromZone, pkg/xds/envoy/tls/v3 UpstreamTlsContextOutsideMesh).
 *
 * A sidecar reaches an ExternalService directly (its own cluster to `networking.address`, TLS
 * origination when `networking.tls.enabled`) or, when the mesh routes through zone egress, through
 * a local ZoneEgress, which terminates the mesh mTLS and does the same towards the real host.
 *
 * TLS data sources are resolved here, purely: `inline` (base64), `inlineString`, and `secret` (a
 * Secret of the mesh, from MeshContext.resources). A `file` source cannot be read by a pure
 * generator: such an ExternalService is left out (its outbound gets no endpoint), as Kuma fails to
 * generate when a data source cannot be loaded.
 */
import { TAG, type Resource } from '../../resources/model';
import { isIP } from '../../resources/validation';
import type { MeshContext } from './types';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function tagsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === 'string') out[k] = val;
  return out;
}

/** TLS origination towards the external host; PEM/DER material as base64 (plain JSON, hashable). */
export interface ExternalTls {
  /** The SNI: `serverName`, else the host when it is a name (never an IP). */
  sni?: string;
  /** What the server certificate must name (DNS or IP SAN), unless skipHostnameVerification. */
  verifyName?: string;
  allowRenegotiation: boolean;
  caCertB64?: string;
  clientCertB64?: string;
  clientKeyB64?: string;
}

export interface ExternalServiceView {
  /** Resource name. */
  name: string;
  /** kuma.io/service */
  service: string;
  tags: Record<string, string>;
  host: string;
  port: number;
  /** true when host is an IP literal (STATIC cluster), false for a name (STRICT_DNS). */
  ip: boolean;
  tls?: ExternalTls;
}

function splitHostPort(address: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]*)\]:(\d+)$/.exec(address) ?? /^([^:[\]]*):(\d+)$/.exec(address);
  if (!m) return undefined;
  const port = Number(m[2]);
  return m[1] && port > 0 && port < 65536 ? { host: m[1], port } : undefined;
}

/** A DataSource as base64 bytes; undefined when unset; null when it cannot be resolved purely. */
export function dataSource(v: unknown, secrets: readonly Resource[]): string | undefined | null {
  const ds = obj(v);
  if (typeof ds.inline === 'string' && ds.inline !== '') return ds.inline.replace(/\s+/g, '');
  if (typeof ds.inlineString === 'string' && ds.inlineString !== '') return Buffer.from(ds.inlineString, 'utf8').toString('base64');
  if (typeof ds.secret === 'string' && ds.secret !== '') {
    const s = secrets.find((r) => r.name === ds.secret);
    return typeof s?.spec.data === 'string' && s.spec.data !== '' ? s.spec.data.replace(/\s+/g, '') : null;
  }
  if (ds.file !== undefined) return null;
  return undefined;
}

/** One ExternalService as generators use it; undefined when unusable (bad address, unresolvable TLS data). */
export function externalServiceView(es: Resource, secrets: readonly Resource[]): ExternalServiceView | undefined {
  const tags = tagsOf(es.spec.tags);
  const service = tags[TAG.service];
  const net = obj(es.spec.networking);
  const hp = typeof net.address === 'string' ? splitHostPort(net.address) : undefined;
  if (!service || !hp) return undefined;
  const ip = isIP(hp.host);
  const view: ExternalServiceView = { name: es.name, service, tags, host: hp.host, port: hp.port, ip };
  const tls = obj(net.tls);
  if (tls.enabled === true) {
    const ca = dataSource(tls.caCert, secrets);
    const cert = dataSource(tls.clientCert, secrets);
    const key = dataSource(tls.clientKey, secrets);
    if (ca === null || cert === null || key === null) return undefined;
    const serverName = typeof tls.serverName === 'string' && tls.serverName !== '' ? tls.serverName : undefined;
    const sni = serverName ?? (ip ? undefined : hp.host);
    view.tls = {
      ...(sni ? { sni } : {}),
      ...(tls.skipHostnameVerification === true ? {} : { verifyName: sni ?? hp.host }),
      allowRenegotiation: tls.allowRenegotiation === true,
      ...(ca ? { caCertB64: ca } : {}),
      ...(cert && key ? { clientCertB64: cert, clientKeyB64: key } : {}),
    };
  }
  return view;
}

const memo = new WeakMap<MeshContext, Map<string, ExternalServiceView[]>>();

/**
 * kuma.io/service -> the usable ExternalServices of the mesh carrying it, in resource-name order
 * (memoized per MeshContext).
 */
export function externalServicesByService(ctx: MeshContext): ReadonlyMap<string, readonly ExternalServiceView[]> {
  let m = memo.get(ctx);
  if (!m) {
    m = new Map();
    const secrets = ctx.resources.get('Secret') ?? [];
    for (const es of ctx.resources.get('ExternalService') ?? []) {
      const v = externalServiceView(es, secrets);
      if (!v) continue;
      let list = m.get(v.service);
      if (!list) m.set(v.service, (list = []));
      list.push(v);
    }
    memo.set(ctx, m);
  }
  return m;
}

/**
 * Whether an ExternalService can be reached from this zone's egress: no kuma.io/zone tag, or this
 * zone (Kuma fillExternalServicesReachableFromZone). Others are reached in Kuma through their zone's
 * ingress (availableServices `externalService: true`); not generated here.
 */
export function reachableFromZone(es: ExternalServiceView, zone: string): boolean {
  const z = es.tags[TAG.zone];
  return !z || !zone || z === zone;
}

/** The kuma.io/protocol votes of ExternalServices (Kuma infers an ExternalService's protocol from its tags). */
export function externalServiceProtocolVotes(externalServices: readonly Resource[], votes: Map<string, string[]>): void {
  for (const es of externalServices) {
    const tags = tagsOf(es.spec.tags);
    const service = tags[TAG.service];
    if (!service) continue;
    let list = votes.get(service);
    if (!list) votes.set(service, (list = []));
    list.push(tags[TAG.protocol] ?? '');
  }
}
